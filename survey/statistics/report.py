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
