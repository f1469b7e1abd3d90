"""The HTML report's template (Jinja2, autoescaped)."""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>airflow-kl drift report{% if title %}: {{ title }}{% endif %}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222}
h1{margin-bottom:.2rem} .verdict{font-size:1.3rem;font-weight:600;padding:.4rem .8rem;
border-radius:.4rem;display:inline-block} .drift{background:#fde2e1;color:#a1150d}
.ok{background:#e3f6e5;color:#17622a} .insufficient_data{background:#eee;color:#555}
table{border-collapse:collapse;margin:.8rem 0} th,td{padding:.25rem .6rem;
border-bottom:1px solid #ddd;text-align:right} th:first-child,td:first-child{text-align:left}
.feature,.pair{margin:2rem 0;border-top:2px solid #eee;padding-top:1rem} .muted{color:#666}
.chart,.trend{text-align:center;margin:.6rem 0} .chart svg{height:22rem;width:auto}
.trend svg{height:19rem;width:auto} svg{max-width:100%}
th[title]{text-decoration:underline dotted;cursor:help} #settings td.muted{text-align:left}
dt{font-weight:600;margin-top:.5rem} dd{margin-left:1.5rem;max-width:50rem}
</style></head><body>
{% macro th(label) %}<th{% if title_of(label) %} title="{{ title_of(label) }}"{% endif %}>{{ label
}}</th>{% endmacro %}
<h1>Drift report{% if title %}: {{ title }}{% endif %}</h1>
<p class="verdict {{ 'drift' if report.drifted else 'ok' }}" id="verdict">
{{ report.verdict() if report.drifted else "No drift" }}</p>
<p class="muted">{{ report.features|length }} features,
{{ counts.drift }} drift, {{ counts.ok }} ok, {{ counts.insufficient_data }} insufficient data.
Profile {{ report.profile_checksum[:19] }}&hellip;</p>
<h2>Settings</h2>
<table id="settings">{% for name, value, meaning in settings %}
<tr><th>{{ name }}</th><td>{{ value }}</td><td class="muted">{{ meaning }}</td></tr>
{% endfor %}</table>
<h2>Features by KL</h2>
<table id="features"><tr><th>feature</th><th>kind</th>{% for m in summary %}{{ th(m.label) }}
{% endfor %}{{ th("p-value") }}{{ th("threshold") }}<th>n ref</th><th>n cur</th>
{{ th("status") }}</tr>
{% for f in features %}<tr><td><a href="#f-{{ loop.index }}">{{ f.name }}</a></td>
<td>{{ f.kind }}</td>{% for m in summary %}<td>{{ fmt(f.measures[m.name]) }}</td>{% endfor %}
<td>{{ pfmt(f.p_value) }}</td><td>{{ f.threshold }}</td><td>{{ f.n_reference }}</td>
<td>{{ f.n_current }}</td><td><span class="verdict {{ f.status }}">{{ f.status }}</span></td>
</tr>{% endfor %}</table>
{% if report.segments %}<h2>Segments by {{ report.segment_by|join(" / ") }}</h2>
<p class="muted">Each segment's features against the same segment of the reference;
p-values corrected over every feature and (segment, feature) judged.</p>
<table id="segments"><tr><th>segment</th><th>n ref</th><th>n cur</th><th>worst feature</th>
<th>KL</th><th>p-value</th><th>status</th><th>drifted features</th></tr>
{% for s in report.segments %}{% set w = s.worst() %}<tr data-segment="{{ s.label }}">
<td><a href="#s-{{ loop.index }}">{{ s.label }}</a></td><td>{{ s.n_reference }}</td>
<td>{{ s.n_current }}</td><td>{{ w.name }}</td><td>{{ fmt(w.kl) }}</td>
<td>{{ pfmt(w.p_value) }}</td><td><span class="verdict {{ s.status }}">{{ s.status }}</span></td>
<td>{{ s.drifted_features|join(", ") }}</td></tr>{% endfor %}</table>
{% for s in report.segments %}<details class="segment" id="s-{{ loop.index }}"
{% if s.drifted %}open{% endif %}><summary>{{ s.label }}
<span class="verdict {{ s.status }}">{{ s.status }}</span></summary>
<table><tr><th>feature</th><th>KL</th><th>p-value</th><th>n ref</th><th>n cur</th>
<th>status</th></tr>{% for f in s.features.values() %}<tr><td>{{ f.name }}</td>
<td>{{ fmt(f.kl) }}</td><td>{{ pfmt(f.p_value) }}</td><td>{{ f.n_reference }}</td>
<td>{{ f.n_current }}</td><td><span class="verdict {{ f.status }}">{{ f.status }}</span></td>
</tr>{% endfor %}</table></details>{% endfor %}{% endif %}
{% if pairs %}<h2>Pairs by dependence part</h2>
<p class="muted">How two features move together. The joint KL of a pair's cells splits
exactly into a dependence part (the change in how the two relate) and a marginal part
(what the features' own drift explains); a pair drifts on its dependence part. p-values
are corrected over the pairs judged.</p>
<table id="pairs"><tr><th>pair</th>{{ th("KL") }}{{ th("dependence part") }}
{{ th("marginal part") }}{{ th("MI ref") }}{{ th("MI cur") }}{{ th("p-value") }}
<th>df</th><th>n ref</th><th>n cur</th>{{ th("status") }}</tr>
{% for p in pairs %}<tr data-pair="{{ p.name }}"><td><a href="#p-{{ loop.index }}">{{ p.name
}}</a></td><td>{{ fmt(p.kl) }}</td><td>{{ fmt(p.dependence) }}</td><td>{{ fmt(p.marginal) }}</td>
<td>{{ fmt(p.mi_reference) }}</td><td>{{ fmt(p.mi_current) }}</td><td>{{ pfmt(p.p_value) }}</td>
<td>{{ p.df }}</td><td>{{ p.n_reference }}</td><td>{{ p.n_current }}</td>
<td><span class="verdict {{ p.status }}">{{ p.status }}</span></td></tr>{% endfor %}</table>
{% for p in pairs %}<section class="pair" id="p-{{ loop.index }}" data-pair="{{ p.name }}">
<h3>{{ p.name }} <span class="verdict {{ p.status }}">{{ p.status }}</span></h3>
<p class="muted">KL {{ fmt(p.kl) }} = dependence {{ fmt(p.dependence) }} + marginal
{{ fmt(p.marginal) }} &middot; G {{ "%.2f"|format(p.g_statistic) }} on {{ p.df }} df,
p-value {{ pfmt(p.p_value) }} (raw {{ pfmt(p.p_value_raw) }})</p>
{% set moved = p.moved_cells() %}{% if moved %}<p class="moved">Cells that moved most
against the {{ "reference" if p.direction == "current||reference" else "current" }}'s
association:</p><ul class="moved">{% for line in moved %}<li>{{ line }}</li>{% endfor
%}</ul>{% else %}<p class="moved muted">No cell moved against the association.</p>{% endif %}
<div class="chart">{{ pair_charts[p.name]|safe }}</div></section>{% endfor %}{% endif %}
{% for f in features %}
<section class="feature" id="f-{{ loop.index }}" data-feature="{{ f.name }}">
<h3>{{ f.name }} <span class="verdict {{ f.status }}">{{ f.status }}</span></h3>
<p class="muted">KL {{ fmt(f.kl) }} &middot; p-value {{ pfmt(f.p_value) }}
(raw {{ pfmt(f.p_value_raw) }}){% for m in details %} &middot; {{ m.label }}
{{ fmt(f.measures[m.name]) }}{% endfor %}</p>
<div class="chart">{{ charts[f.name]|safe }}</div>
{% if trends.get(f.name) %}<div class="trend">{{ trends[f.name]|safe }}</div>{% endif %}
<table class="bins"><tr>{{ th("bin") }}<th>reference</th><th>current</th>
{{ th("KL contribution") }}</tr>{% for b in f.bins %}
<tr><td>{{ b.label }}</td><td>{{ b.reference_count }}</td><td>{{ b.current_count }}</td>
<td>{{ fmt(b.contribution) }}</td></tr>{% endfor %}</table>
</section>{% endfor %}
<h2 id="terms">Terms</h2>
<dl>{% for term, meaning in terms.items() %}<dt>{{ term }}</dt><dd>{{ meaning }}</dd>
{% endfor %}</dl>
</body></html>
"""

# The dashboard's and the timeline's look: verdict badges, tables, trend charts.
BOARD_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#222}
.verdict{font-weight:600;padding:.15rem .5rem;border-radius:.3rem;display:inline-block}
.drift{background:#fde2e1;color:#a1150d} .ok{background:#e3f6e5;color:#17622a}
.insufficient_data{background:#eee;color:#555}
table{border-collapse:collapse;margin:.8rem 0} th,td{padding:.25rem .6rem;
border-bottom:1px solid #ddd;text-align:left} .muted{color:#666}
.trends{display:flex;flex-wrap:wrap;gap:1rem} .trend{flex:1 1 28rem;max-width:40rem}
.trend h4{margin:.2rem 0} svg{max-width:100%;height:auto}
"""

DASHBOARD = (
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>airflow-kl: drift dashboard</title>
<style>
"""
    + BOARD_STYLE
    + """.task{margin:2rem 0;border-top:2px solid #eee;padding-top:1rem}
</style></head><body>
<h1>Drift</h1>
{% if not latest %}<p id="empty" class="muted">No drift checks in the report store yet
(or none of a DAG you can read).</p>{% else %}
<p class="muted">Latest check of every checked task: {{ counts.drift }} drift,
{{ counts.ok }} ok, {{ counts.insufficient_data }} insufficient data.</p>
<table id="latest"><tr><th>DAG</th><th>task</th><th>partition</th><th>verdict</th>
<th>drifted features</th><th>checked at (UTC)</th><th>report</th></tr>
{% for r in latest %}<tr data-dag="{{ r.dag_id }}" data-task="{{ r.task_id }}">
<td>{{ r.dag_id }}</td><td>{{ r.task_id }}</td><td>{{ r.partition_key }}</td>
<td><span class="verdict {{ r.status }}">{{ r.status }}</span></td>
<td>{{ r.drifted_features|join(", ") or "none" }}</td>
<td>{{ r.checked_at.strftime("%Y-%m-%d %H:%M") }}</td>
<td><a href="{{ links[loop.index0] }}">{{ r.run_id }}</a></td></tr>{% endfor %}</table>
{% for r in latest %}
<section class="task" data-dag="{{ r.dag_id }}" data-task="{{ r.task_id }}">
<h2>{{ r.dag_id }} &rsaquo; {{ r.task_id }}</h2>
<p class="muted">KL by partition per feature; the dashed line is the feature's
threshold, red points are partitions judged drift.</p>
<div class="trends">{% for feature, svg in trends[loop.index0] %}
<div class="trend" data-feature="{{ feature }}"><h4>{{ feature }}</h4>{{ svg|safe }}</div>
{% endfor %}</div>{% if pair_trends[loop.index0] %}
<p class="muted">Per pair, the dependence part of its KL by partition (how the two
features relate); the dashed line is the threshold.</p>
<div class="trends">{% for pair, svg in pair_trends[loop.index0] %}
<div class="trend" data-pair="{{ pair }}"><h4>{{ pair }}</h4>{{ svg|safe }}</div>
{% endfor %}</div>{% endif %}</section>{% endfor %}{% endif %}
</body></html>
"""
)

TIMELINE = (
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>airflow-kl backtest{% if title %}: {{ title }}{% endif %}</title>
<style>
"""
    + BOARD_STYLE
    + """</style></head><body>
<h1>Backtest{% if title %}: {{ title }}{% endif %}</h1>
<p class="muted" id="summary">{{ timeline.reports|length }} partitions by
{{ timeline.partition_by }}{% if timeline.every %} (every {{ timeline.every }}){% endif %}:
{{ timeline.drifted|length }} would have drifted. Each judged as its own check would have
judged it.</p>
<table id="timeline"><tr><th>partition</th><th>verdict</th><th>worst KL</th><th>feature</th>
<th>drifted features</th><th>rows</th></tr>
{% for p, r in timeline.reports.items() %}{% set w = timeline.worst(p) %}
<tr data-partition="{{ p }}">
<td>{{ p }}</td><td><span class="verdict {{ r.status }}">{{ r.status }}</span></td>
<td>{{ fmt(w.kl) if w else "" }}</td><td>{{ w.name if w else "" }}</td>
<td>{{ (r.drifted_features + r.drifted_segments + r.drifted_pairs)|join(", ") or "none" }}</td>
<td>{{ timeline.rows(p) }}</td></tr>{% endfor %}</table>
{% if suggestion %}<h2>Suggested thresholds</h2>
<p class="muted">The smallest KL threshold (3 significant digits, never below the default) at
which at most {{ suggestion_rate }} of {{ normal|join(", ") }} would have drifted: an
empirical quantile of past KLs, not a promise about future partitions.</p>
<table id="thresholds"><tr><th>feature</th><th>threshold</th><th>alarm rate</th>
<th>partitions judged</th></tr>{% set default = suggestion.threshold["*"] %}
{% for name, rate in suggestion.alarm_rate.items() %}<tr data-feature="{{ name }}">
<td>{{ name }}</td><td>{{ suggestion.threshold.get(name, default) }}{% if name not in
suggestion.threshold %} (the default){% endif %}</td><td>{{ "%.0f%%"|format(100 * rate) }}</td>
<td>{{ suggestion.partitions[name] }}</td></tr>{% endfor %}
<tr data-feature="*"><td>every other feature</td><td>{{ default }}</td><td></td><td></td></tr>
</table>{% endif %}
<h2>KL by partition</h2>
<p class="muted">Per feature; the dashed line is its threshold, red points are partitions
judged drift.</p>
<div class="trends">{% for feature, svg in trends %}
<div class="trend" data-feature="{{ feature }}"><h4>{{ feature }}</h4>{{ svg|safe }}</div>
{% endfor %}</div>
</body></html>
"""
)
