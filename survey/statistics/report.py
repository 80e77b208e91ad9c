"""A rollup as plain text for the terminal."""

from __future__ import annotations


def _pct(value) -> str:
    return "   –  " if value is None else f"{value * 100:5.1f}%"


def _tier_line(label: str, n: int, tiers: dict, order: list[str]) -> str:
    cells = [
        f"{t} {_pct(tiers[t]['share'])} [{_pct(tiers[t]['ci_low'])}, {_pct(tiers[t]['ci_high'])}]"
        for t in order
    ]
    return f"{label:<28} n={n:<7} " + "  ".join(cells)


def _firms(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _weighted_lines(result: dict, order: list[str]) -> list[str]:
    """Each group's weighted share (post-stratified inside the group) with its interval and
    the firms it stands for, the respondents' own share beside it."""
    lines = [
        "",
        f"Weighted by {result['by']} (post-stratified inside each group; Wilson 95% intervals "
        "at Kish's effective n; firms = share × the group's register), respondents' share beside:",
    ]
    for group in result.get("groups", []):
        weighted = group.get("weighted")
        head = f"  {result['by']}={group['key']}  n={group['n']}"
        if not weighted:
            lines.append(f"{head}  no weighted estimate (no register cell with respondents)")
            continue
        lines.append(
            f"{head}  register {weighted['register']}, coverage {_pct(weighted['coverage']).strip()}, "
            f"effective n {weighted['effective_n']}"
        )
        for tier in order:
            e, own = weighted["tiers"][tier], group["tiers"][tier]
            lines.append(
                f"    {tier:<12} weighted {_pct(e['estimate'])} [{_pct(e['ci_low'])}, {_pct(e['ci_high'])}]"
                f"  ≈ {_firms(e['firms'])} firms [{_firms(e['firms_low'])}–{_firms(e['firms_high'])}]"
                f"   respondents {_pct(own['share'])} [{_pct(own['ci_low'])}, {_pct(own['ci_high'])}]"
            )
    return lines


def _model_lines(result: dict, order: list[str]) -> list[str]:
    """The units' model-based estimates, labelled and explained: never a direct figure."""
    figures = result.get("model_based")
    if figures is None:
        return []
    lines = [
        "",
        "Model-based estimates (NOT direct figures) for the units below the minimum group with "
        "enough firms in the register: each borrows strength from the unit's former district and "
        "its register's mix of sectors and sizes (empirical Bayes, 95% intervals):",
    ]
    if not figures:
        lines.append("  none")
    for unit in figures:
        lines.append(
            f"  unit={unit['key']}  model-based estimate  n={unit['respondents']}"
            f"  register {unit['register']}"
        )
        for tier in order:
            e = unit["tiers"][tier]
            lines.append(
                f"    {tier:<12} model    {_pct(e['estimate'])} [{_pct(e['ci_low'])}, {_pct(e['ci_high'])}]"
                f"  ≈ {_firms(e['firms'])} firms [{_firms(e['firms_low'])}–{_firms(e['firms_high'])}]"
            )
    return lines


def as_text(result: dict) -> str:
    tiers = result["tiers"]
    lines = [
        f"Wave {result['wave']['name']} ({result['wave']['year']}), "
        f"framework {result['framework']['code']} v{result['framework']['version']}",
        "",
        "Respondents (Wilson 95% intervals):",
        _tier_line("all", result["overall"]["n"], result["overall"]["tiers"], tiers),
    ]
    for group in result.get("groups", []):
        lines.append(_tier_line(f"  {result['by']}={group['key']}", group["n"], group["tiers"], tiers))
    if "groups" in result:
        lines += _weighted_lines(result, tiers)
        lines += _model_lines(result, tiers)
    pop = result["population"]
    lines += [
        "",
        f"Population estimate (post-stratified by {' × '.join(pop['strata_by'])}; "
        f"register {pop['register_size']}, coverage {_pct(pop['coverage']).strip()}, "
        f"effective n {pop['effective_n']}):",
        f"  register part: {', '.join(pop.get('business_kinds') or ['none'])}",
    ]
    for tier in tiers:
        e = pop["tiers"][tier]
        lines.append(f"  {tier:<12} {_pct(e['estimate'])} [{_pct(e['ci_low'])}, {_pct(e['ci_high'])}]")
    if pop["uncovered"]:
        lines.append(f"  strata with no respondents: {len(pop['uncovered'])}")
    means = result["overall"]["pillar_means"]
    lines += ["", "Mean percent per pillar:"]
    lines += [f"  {code:<16} {'–' if v is None else f'{v:.1f}%'}" for code, v in means.items()]
    lines += [
        "",
        "Overall levels: " + ", ".join(f"{k}: {v}" for k, v in result["overall"]["levels"].items()),
    ]
    for ref in result["reference"]:
        lines.append(
            f"Reference {ref['year']} ({ref['tier']}): {_pct(ref['value']).strip()} — {ref['source']}"
        )
    return "\n".join(lines)
