"""python -m bench {run,soak,profile,pipelines,staff,nlu-latency} [options]; see bench/__init__.py."""
import sys


def main() -> int:
    commands = {"run": "bench.run", "soak": "bench.soak", "profile": "bench.profiling",
                "pipelines": "bench.pipelines", "staff": "bench.staff_list",
                "nlu-latency": "bench.nlu_latency"}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    import importlib

    module = importlib.import_module(commands[sys.argv[1]])
    return module.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
