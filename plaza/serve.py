"""``python -m plaza.serve``: run Plaza's ASGI app under uvicorn, one or several processes.

Why not plain ``uvicorn --workers N``: with several workers, uvicorn binds the listening
socket in the parent and the workers rebuild it from its file descriptor, and asyncio then
no longer turns on ``TCP_NODELAY`` for accepted connections (it checks the socket's protocol
number, which the rebuilt socket lacks). A response written in two pieces (headers, then the
body) then waits ~40 ms for the client's delayed ACK. On Linux accepted sockets inherit
``TCP_NODELAY`` from the listening socket, so it is set there. The workers also share a
small board of who is busy, to spread keep-alive connections over them (``plaza/balance.py``).
"""

from __future__ import annotations

import argparse
import gc
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess


def application() -> Any:
    """The ASGI app, loaded in each worker (uvicorn ``factory``), start-up garbage frozen;
    with several workers, wrapped to spread keep-alive connections (``plaza/balance.py``)."""
    from plaza.asgi import STREAMING_PREFIXES
    from plaza.asgi import application as app
    from plaza.balance import Balanced, Board

    board = Board.attach()
    if board is not None:
        app = Balanced(app, board, STREAMING_PREFIXES)
    gc.collect()
    gc.freeze()
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    config = uvicorn.Config(
        "plaza.serve:application",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
    )
    server = uvicorn.Server(config)
    if args.workers <= 1:
        server.run()
        return
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    from plaza.balance import Board

    board = Board.create(args.workers)  # before the workers are spawned: they inherit its name
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        if board is not None:
            board.unlink()


if __name__ == "__main__":
    main()
