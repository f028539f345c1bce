"""`make run`: `python -m servers MODEL` starts the servers and waits for Ctrl+C."""
from servers import main

main()
