"""The service for the crash test: imports the app once, then forks a fresh server process (uvicorn) each
time it reads a line on stdin and prints the new process's pid. The test kills those processes with
SIGKILL; forking spares each restart the imports (seconds), so a bounded test can kill the service often.

    python tests/forking_server.py PORT      # settings from the environment, as the service reads them
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn  # noqa: E402

from app.main import create_app  # noqa: E402


def main() -> None:
    port = int(sys.argv[1])
    application = create_app()  # no connection is opened before the fork
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed servers are reaped by the kernel
    for _line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            sys.stdin.close()
            uvicorn.run(application, host="127.0.0.1", port=port, log_level="warning")
            os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
