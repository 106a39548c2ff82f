"""The terminal faces: `search-index` (build, inspect, stats) and `search-cli`.

Thin shells: they turn options into calls on the pipeline, the store and the
search service, and results into text or JSON. A UserError becomes one line on
stderr and exit code 2; a build that skipped files exits 1.
"""

from __future__ import annotations

import functools
import html
import json
import re
import sys
import time
from pathlib import Path

import click

from dataclasses import replace

from . import config, fetch, store, sync
from .copies import CopySettings
from .errors import SourceError, UserError
from .pipeline import PipelineOptions, process_file
from .search import MAX_PER_PAGE, SORTS, CopyGroup, SearchRequest, SearchResult, SearchService

EXIT_SKIPPED = 1
EXIT_USER_ERROR = 2


def reports_user_errors(command):
    """Turn a UserError into 'NAME: error: message' and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            prog = click.get_current_context().find_root().info_name
            click.echo(f"{prog}: error: {exc}", err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper


index_option = click.option("--index", "index_dir", metavar="DIR", help=f"Index folder [env {config.INDEX_ENV}; default ./{config.DEFAULT_INDEX_DIR}].")
corpus_option = click.option("--corpus", "corpus_dir", metavar="DIR", help=f"Corpus folder [env {config.CORPUS_ENV}; default ./{config.DEFAULT_CORPUS_DIR}].")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="news-archive-search")
def search_index():
    """Build and inspect the news archive index."""


def _track(paths, label):
    """Progress bar on stderr for the pipeline (click draws it only on a terminal)."""
    if not paths:
        return
    with click.progressbar(paths, label=label, file=sys.stderr, show_pos=True) as bar:
        yield from bar


def _print_report(report: sync.SyncReport, seconds: float, root: Path) -> None:
    if report.stale_lock:
        click.echo(f"note: cleared the lock left by a writer that died ({report.stale_lock})", err=True)
    for key in report.added if not report.rebuilt else ():
        click.echo(f"added      {key}")
    for key in report.updated:
        click.echo(f"updated    {key}")
    for key in report.removed:
        click.echo(f"removed    {key}")
    for key in report.waiting:
        click.echo(f"waiting    {key} (still being written)")
    for key, reason in report.skipped:
        click.echo(f"skipped    {key}: {reason}", err=True)
    for key, kept in report.duplicates:
        click.echo(f"duplicate  {key}: same content as {kept}, indexed once", err=True)
    if report.rebuilt:
        summary = f"Indexed {len(report.added)} articles into {root}"
    elif report.changed:
        summary = f"Updated {root}: {len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed"
    else:
        summary = f"Nothing to do: {root} is up to date"
    click.echo(f"{summary}; {report.unchanged} unchanged, {len(report.skipped)} skipped,"
               f" {len(report.duplicates)} duplicates ({seconds:.1f} s).")


def _synced(action, corpus: Path, root: Path, options: PipelineOptions | None = None) -> sync.SyncReport:
    """Run sync.rebuild or sync.update with a progress bar, and print what it did."""
    started = time.monotonic()
    report = action(corpus, root, options, track=_track)
    _print_report(report, time.monotonic() - started, root)
    return report


def _exit_for(report: sync.SyncReport) -> None:
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


ner_option = click.option("--ner/--no-ner", default=True, show_default=True,
                          help="Find actors with the statistical model as well as the knowledge base "
                               "(--no-ner: knowledge base only, many times faster for bulk loads).")
threshold_option = click.option("--copy-threshold", type=click.FloatRange(0.0, 1.0, min_open=True), default=None,
                                metavar="J", help="Estimated Jaccard similarity of the bodies at which two articles are "
                                                  f"copies [env {config.COPY_THRESHOLD_ENV}; default 0.5].")


def _options(ner: bool = True, threshold: float | None = None) -> PipelineOptions:
    return PipelineOptions(ner=ner, copies=CopySettings(threshold=config.copy_threshold(threshold)))


@search_index.command()
@corpus_option
@index_option
@ner_option
@threshold_option
@reports_user_errors
def build(corpus_dir, index_dir, ner, copy_threshold):
    """Rebuild the index from every article in the corpus.

    The new index is written beside the old one and swapped in only when
    complete: if the build fails or is interrupted, the previous index stays.
    """
    report = _synced(sync.rebuild, config.corpus_dir(corpus_dir), config.index_dir(index_dir), _options(ner, copy_threshold))
    _exit_for(report)


@search_index.command()
@corpus_option
@index_option
@ner_option
@threshold_option
@reports_user_errors
def update(corpus_dir, index_dir, ner, copy_threshold):
    """Index what is new or changed in the corpus, and drop what is gone.

    Only files whose size or modification time changed are read again; running
    it twice in a row does nothing the second time.
    """
    root = config.index_dir(index_dir)
    if reason := sync.update_rebuilds(root):
        # Said before the work starts: at 100k articles a whole build takes an hour, not seconds.
        click.echo(f"note: {reason}, so update indexes the whole corpus", err=True)
    report = _synced(sync.update, config.corpus_dir(corpus_dir), root, _options(ner, copy_threshold))
    _exit_for(report)


@search_index.command()
@click.argument("sources", nargs=-1, required=True, metavar="PATH_OR_URL...")
@corpus_option
@index_option
@click.option("--timeout", default=fetch.DEFAULT_TIMEOUT, show_default=True, type=click.FloatRange(0.1, 300), help="Seconds to wait for a URL.")
@ner_option
@threshold_option
@reports_user_errors
def add(sources, corpus_dir, index_dir, timeout, ner, copy_threshold):
    """Copy files into the corpus, or fetch pages by URL, then index them.

    A fetched page is stored as raw HTML with a sidecar recording its URL (whose
    domain then names the outlet) and the time it was fetched. Only the added
    files are looked at (`update` looks at the whole corpus).
    """
    corpus, root = config.corpus_dir(corpus_dir), config.index_dir(index_dir)
    failed = False
    targets: list[Path] = []
    for source in sources:
        try:
            if fetch.is_url(source):
                target = fetch.fetch_url(source, corpus, timeout=timeout)
                click.echo(f"fetched    {source} -> {target}")
            else:
                target, new = fetch.add_file(Path(source), corpus)
                click.echo(f"{'copied' if new else 'present'}    {source} -> {target}")
            targets.append(target)
        except UserError as exc:
            failed = True
            click.echo(f"search-index: error: {exc}", err=True)
    if not targets:
        sys.exit(EXIT_USER_ERROR)
    report = _synced(functools.partial(sync.update, paths=targets), corpus, root, _options(ner, copy_threshold))
    if failed:
        sys.exit(EXIT_USER_ERROR)
    _exit_for(report)


@search_index.command()
@corpus_option
@index_option
@click.option("--debounce", default=2.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds of quiet before updating; files younger than this wait for the next round.")
@ner_option
@threshold_option
@reports_user_errors
def watch(corpus_dir, index_dir, debounce, ner, copy_threshold):
    """Watch the corpus folder and update the index as files arrive, change or disappear."""
    from .watch import watch as run_watch

    corpus, root = config.corpus_dir(corpus_dir), config.index_dir(index_dir)
    click.echo(f"Watching {corpus} for changes (Ctrl-C stops).")

    def report(result: sync.SyncReport) -> None:
        if result.changed or result.waiting or result.rebuilt:
            stamp = time.strftime("%H:%M:%S")
            click.echo(f"[{stamp}]", nl=False)
            _print_report(result, 0.0, root)

    def error(exc: UserError) -> None:
        click.echo(f"search-index: error: {exc}", err=True)

    try:
        run_watch(corpus, root, report, options=_options(ner, copy_threshold), debounce=debounce, on_error=error)
    except KeyboardInterrupt:
        click.echo("Stopped watching.")


@search_index.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON document per file, one per line.")
def inspect(files, as_json):
    """Show what the pipeline makes of raw FILES, without touching the index."""
    failed = False
    for path in files:
        try:
            article = process_file(path)
        except SourceError as exc:
            failed = True
            if as_json:
                click.echo(json.dumps({"source_path": str(path), "error": exc.reason}, ensure_ascii=False))
            else:
                click.echo(f"{exc.path}: error: {exc.reason}", err=True)
            continue
        if as_json:
            click.echo(json.dumps(article.to_dict(), ensure_ascii=False))
        else:
            click.echo(_describe_article(article.to_dict()))
    if failed:
        sys.exit(EXIT_SKIPPED)


@search_index.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@reports_user_errors
def stats(index_dir, as_json):
    """Documents, outlets, date span and size of the index."""
    root = config.index_dir(index_dir)
    figures = store.stats(root)
    if as_json:
        click.echo(json.dumps(figures.__dict__, ensure_ascii=False))
        return
    click.echo(f"Index:      {root} ({figures.generation})")
    click.echo(f"Documents:  {figures.documents}")
    click.echo(f"Date span:  {figures.earliest or '-'} to {figures.latest or '-'} ({figures.undated} undated)")
    click.echo(f"Size:       {figures.size_bytes / 1024:.0f} KiB")
    click.echo(f"Outlets:    {len(figures.outlets)}")
    for name, count in figures.outlets.items():
        click.echo(f"  {count:>6}  {name}")


@search_index.command()
@index_option
@click.option("--unknown", is_flag=True, help="Only actors the knowledge base does not know: candidates to add to it.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of {name, type, count, known}.")
@reports_user_errors
def actors(index_dir, unknown, as_json):
    """Actors in the index with the number of articles about each, most frequent first."""
    from .extract.actors import load_knowledge_base

    kb = load_knowledge_base()
    rows = [{"name": name, "type": actor_type, "count": count, "known": kb.lookup(name) is not None}
            for name, actor_type, count in store.actor_counts(config.index_dir(index_dir))]
    if unknown:
        rows = [row for row in rows if not row["known"]]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['count']:>7}  {row['name']} ({row['type']}){'' if row['known'] else '  [not in knowledge base]'}")


@search_index.command()
@index_option
@click.option("--min-size", type=click.IntRange(2), default=2, show_default=True, help="Only groups of at least N copies.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list of {group, size, original, members}.")
@reports_user_errors
def dups(index_dir, min_size, as_json):
    """Groups of syndicated copies (near-duplicate articles), largest first.

    Each member with its id, outlet, date and title, earliest first; the
    earliest dated one is marked as the likely original. Copies are found at
    index time (see --copy-threshold of build).
    """
    groups = SearchService(config.index_dir(index_dir)).copy_groups(min_size)
    if as_json:
        click.echo(json.dumps([_group_dict(g) for g in groups], ensure_ascii=False, indent=2))
        return
    click.echo(render_groups(groups))


def _group_dict(group: CopyGroup) -> dict:
    return {"group": group.id, "size": len(group.members), "original": group.original,
            "members": [m.to_dict() for m in group.members]}


def render_groups(groups: tuple[CopyGroup, ...]) -> str:
    """Copy groups as terminal text: size, then one line per member, the likely original starred."""
    if not groups:
        return "No copies: every article in the index is the only one of its story."
    articles = sum(len(g.members) for g in groups)
    lines = [f"{len(groups)} {'group' if len(groups) == 1 else 'groups'} of copies, {articles} articles", ""]
    for group in groups:
        lines.append(f"{len(group.members)} copies  [group {group.id}]")
        for member in group.members:
            mark = "*" if member.id == group.original else " "
            lines.append(f"  {mark} {member.id}  {member.outlet} · {member.published or 'undated'} · {member.title}")
        lines.append("")
    lines.append("* the earliest dated copy: the likely original")
    return "\n".join(lines)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("query", nargs=-1)
@click.option("--outlet", "outlets", multiple=True, metavar="NAME", help="Only this outlet (repeat for any of several).")
@click.option("--actor", "actors", multiple=True, metavar="NAME", help="Only articles about this actor (repeat: all of them).")
@click.option("--from", "date_from", metavar="DATE", help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Published on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(SORTS), default=None, help="Order of hits [default: relevance; newest for an empty query].")
@click.option("--limit", type=click.IntRange(1, MAX_PER_PAGE), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Page of hits.")
@click.option("--all-copies", is_flag=True, help="List every syndicated copy as a hit of its own "
                                                  "(by default each story once, its copies folded under it).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as one JSON document.")
@index_option
@click.version_option(package_name="news-archive-search")
@reports_user_errors
def search_cli(query, outlets, actors, date_from, date_to, sort, limit, page, all_copies, as_json, index_dir):
    """Search the news archive. An empty QUERY lists every article, newest first.

    \b
    Query language (Whoosh):
      K9 howitzer              both words (stemmed: howitzer finds howitzers)
      "K9 howitzers"           a phrase
      seoul OR moscow          either word; NOT excludes a word
      title:putin              a word in one field: title, subtitle, body, author
      outlet:"korea times"     by outlet; actor:"Vladimir Putin" by actor (any alias)
      howitz*  howitzr~1       prefix (two letters at least) and fuzzy terms
    """
    text = " ".join(query).strip()
    request = SearchRequest(
        query=text,
        outlets=outlets,
        actors=actors,
        date_from=date_from,
        date_to=date_to,
        sort=sort or ("relevance" if text else "newest"),
        page=page,
        per_page=limit,
        all_copies=all_copies,
    )
    result = SearchService(config.index_dir(index_dir)).search(request)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_result(result, color=sys.stdout.isatty()))


def render_result(result: SearchResult, color: bool = False) -> str:
    """A result as terminal text: ranked hits with marked snippets, then facet counts."""
    lines = []
    what = f'matching "{result.query}"' if result.query else "in the archive"
    noun = "article" if result.total == 1 else "articles"
    folded = f"{result.shown} after folding copies; " if result.shown != result.total else ""
    lines.append(f"{result.total} {noun} {what} ({folded}page {result.page} of {result.pages})")
    if result.suggestion:
        lines.append(f'Did you mean: "{result.suggestion}"?')
    lines.append("")
    for rank, hit in enumerate(result.hits, start=(result.page - 1) * result.per_page + 1):
        title = click.style(hit.title, bold=True) if color else hit.title
        meta = [hit.outlet, hit.published or "undated"]
        if hit.author:
            meta.append(hit.author)
        if hit.score is not None:
            meta.append(f"score {hit.score:.2f}")
        lines.append(f"{rank:>3}. {title}")
        lines.append(f"     {' · '.join(meta)}   [{hit.id}]")
        lines.append(f"     {_terminal_snippet(hit.snippet, color)}")
        if hit.copy_count:
            outlets = ", ".join(f"{c.outlet} ({c.published or 'undated'})" for c in hit.copies)
            more = f" and {hit.copy_count - len(hit.copies)} more" if hit.copy_count > len(hit.copies) else ""
            noun = "copy" if hit.copy_count == 1 else "copies"
            lines.append(f"     + {hit.copy_count} other {noun}: {outlets}{more}")
        lines.append("")
    facets = result.facets
    if facets.outlet:
        lines.append("Outlets: " + " · ".join(f"{v.value} ({v.count})" for v in facets.outlet))
    if facets.actor:
        lines.append("Actors:  " + " · ".join(f"{v.value} ({v.count})" for v in facets.actor[:15]))
    years = [f"{v.value} ({v.count})" for v in facets.year] + ([f"undated ({facets.undated})"] if facets.undated else [])
    if years:
        lines.append("Years:   " + " · ".join(years))
    return "\n".join(lines).rstrip()


def _terminal_snippet(snippet: str, color: bool) -> str:
    if color:
        marked = re.sub(r"<mark>(.*?)</mark>", lambda m: click.style(m.group(1), fg="yellow", bold=True), snippet)
    else:
        marked = re.sub(r"<mark>(.*?)</mark>", r"[\1]", snippet)
    return html.unescape(marked)


def _describe_article(record: dict) -> str:
    provenance = record.get("provenance", {})
    source = lambda key: f"  ({provenance[key]})" if key in provenance else ""  # noqa: E731
    body = record["body"]
    lines = [
        f"== {record['source_path']}",
        f"title:          {record['title']}{source('title')}",
        f"subtitle:       {record['subtitle'] or '-'}",
        f"outlet:         {record['outlet']}{source('outlet')}",
        f"author:         {record['author'] or '-'}{source('author')}",
        f"published:      {record['published'] or '-'}"
        + (f"  (precision {record['date_precision']}, from {record['date_source']})" if record["published"] else ""),
        f"url:            {record['url'] or '-'}",
        "actors:         " + (", ".join(f"{a['name']} ({a['type']})" for a in record["actors"]) or "-"),
        f"word_count:     {record['word_count']}",
        f"id:             {record['id']}",
        "body:",
        *("  " + p for p in body.split("\n\n")),
        "",
    ]
    return "\n".join(lines)
