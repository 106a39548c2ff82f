"""`search-web`: serve the web UI with waitress, a production WSGI server."""

from __future__ import annotations

import os
import signal
import socket
import sys
import traceback

import click

from indexer import config
from indexer.sync import exit_with_parent

IDENT = "news-archive"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; 127.0.0.1 keeps it on this machine.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--index", "index_dir", metavar="DIR", help=f"Index folder [env {config.INDEX_ENV}; default ./{config.DEFAULT_INDEX_DIR}].")
@click.option("--corpus", "corpus_dir", metavar="DIR",
              help=f"Corpus folder the index was built from, for the raw sources [env {config.CORPUS_ENV}; default ./{config.DEFAULT_CORPUS_DIR}].")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads per process.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Server processes sharing the port. Python runs one thread at a time per process, "
                   "so one process uses about one core: give one per core for the most searches a second.")
def main(host: str, port: int, index_dir: str | None, corpus_dir: str | None, threads: int, processes: int) -> None:
    """Serve the news archive search UI."""
    import waitress

    from . import create_app

    app = create_app({"INDEX_DIR": str(config.index_dir(index_dir)), "CORPUS_DIR": str(config.corpus_dir(corpus_dir))})
    try:
        listeners = _listening_sockets(host, port)
    except OSError as exc:
        # socket.create_server appends the address to strerror; a lookup error has its own text.
        reason = exc.strerror if isinstance(exc, socket.gaierror) or not exc.errno else os.strerror(exc.errno)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from exc
    click.echo(f"Serving the news archive on http://{host}:{port}/ (index {app.config['INDEX_DIR']}, "
               f"corpus {app.config['CORPUS_DIR']}); Ctrl-C stops.")
    serve = lambda: waitress.serve(app, sockets=listeners, threads=threads, ident=IDENT)  # noqa: E731
    if processes == 1:
        serve()
    else:
        sys.exit(_serve_in_processes(serve, processes))


def _listening_sockets(host: str, port: int) -> list[socket.socket]:
    """The bound sockets, one per address the host name stands for (as waitress binds them).

    Made here so a busy port is a message, and shared by the processes when there
    are several: the kernel hands each connection to one of them.
    """
    addresses = {(family, address) for family, _, _, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    sockets: list[socket.socket] = []
    try:
        for family, address in sorted(addresses, key=str):
            sockets.append(socket.create_server(address, family=family, backlog=1024))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _serve_in_processes(serve, processes: int) -> int:
    """Fork `processes` servers and wait; when one ends, or this process is told to stop, stop them all.

    The app is created before the fork (the knowledge base is loaded once and shared
    copy-on-write); each process opens its own Whoosh searchers on its first request.
    Returns the exit status: 0 when stopped by a signal, 1 when a server died.
    """
    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)  # before the forks: a SIGTERM while starting stops what has started
    parent = os.getpid()
    children: list[int] = []
    status = 0
    try:
        for _ in range(processes):
            pid = os.fork()
            if pid == 0:
                _serve_as_child(serve, parent)
            children.append(pid)
        pid, wait_status = os.wait()
        children.remove(pid)
        if wait_status != 0:  # 0: it stopped on Ctrl-C, which reaches this process too
            click.echo(f"search-web: error: server process {pid} died ({_how(wait_status)}); stopping the others", err=True)
            status = 1
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    return status


def _serve_as_child(serve, parent: int) -> None:
    """One forked server: serve until stopped, then leave without running the parent's clean-up."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    exit_with_parent(parent)  # a parent killed outright takes its servers with it
    code = 0
    try:
        serve()
    except KeyboardInterrupt:
        pass
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def _how(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        return f"signal {signal.Signals(os.WTERMSIG(wait_status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(wait_status)}"
