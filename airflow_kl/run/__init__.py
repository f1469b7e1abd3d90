"""The one run layer under every entry point: a check or a backtest, and
everything it writes, with no Airflow in sight.

The CLI, the operators and GX validation each describe where the results go
(:class:`~.outputs.Outputs`: report JSON, HTML page, results history, a report
store) and call :func:`~.check.run_check` or :func:`~.backtest.run_backtest`,
so the same inputs give the same files whichever way they came in.
"""
