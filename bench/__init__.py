"""Measuring tools: load benchmark against the real servers, soak run, profile of one
message's path, and NLU/policy pipeline comparison. See docs/performance.md.

    python -m bench run        # make bench / make bench-baseline
    python -m bench soak       # make soak
    python -m bench profile    # where the time of one message goes
    python -m bench pipelines  # accuracy, latency and training time of pipeline variants
    python -m bench staff      # make bench-staff: the staff app's lists with 50,000 conversations
"""
