"""Serve Ralph's LRS API with its file-system backend (run by Ralph's own interpreter).

Ralph 5.1's file-system LRS backend writes each request with the "create" operation, which
refuses to write to its statements file once it exists: a second statement would fail. Its
file backend supports "append" (used by Ralph's own `ralph write` command), so this launcher
makes append the LRS backend's default and then serves the unmodified application. Usage:
python ralph_server.py HOST PORT
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning")
