"""`search-web`: serve the web UI with waitress, a production WSGI server."""

from __future__ import annotations

import click

from indexer import config


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; 127.0.0.1 keeps it on this machine.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--index", "index_dir", metavar="DIR", help=f"Index folder [env {config.INDEX_ENV}; default ./{config.DEFAULT_INDEX_DIR}].")
@click.option("--corpus", "corpus_dir", metavar="DIR",
              help=f"Corpus folder the index was built from, for the raw sources [env {config.CORPUS_ENV}; default ./{config.DEFAULT_CORPUS_DIR}].")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def main(host: str, port: int, index_dir: str | None, corpus_dir: str | None, threads: int) -> None:
    """Serve the news archive search UI."""
    import waitress

    from . import create_app

    app = create_app({"INDEX_DIR": str(config.index_dir(index_dir)), "CORPUS_DIR": str(config.corpus_dir(corpus_dir))})
    click.echo(f"Serving the news archive on http://{host}:{port}/ (index {app.config['INDEX_DIR']}, "
               f"corpus {app.config['CORPUS_DIR']}); Ctrl-C stops.")
    waitress.serve(app, host=host, port=port, threads=threads, ident="news-archive")
