"""The house's layout: packages that do not import each other in circles.

grimp builds the import graph of ``survey`` (every import statement, also those inside
functions, not those under ``if TYPE_CHECKING``); the graph is folded into one node per
package or top-level module (``survey.models``, ``survey.cli``, …) and must sort
topologically. ``survey/__init__.py`` is left out: the factory imports everything, and
nothing imports it back except through the package itself.
"""

from __future__ import annotations

import graphlib
from collections import defaultdict

import grimp
import pytest


def _node(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else None


@pytest.fixture(scope="module")
def package_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("survey", exclude_type_checking_imports=True, cache_dir=None)
    folded: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        source = _node(module)
        if source is None:
            continue
        folded[source]
        for imported in graph.find_modules_directly_imported_by(module):
            target = _node(imported)
            if target is not None and target != source:
                folded[source].add(target)
    return folded


def test_no_two_packages_import_each_other_in_a_circle(package_graph):
    try:
        graphlib.TopologicalSorter(package_graph).prepare()
    except graphlib.CycleError as exc:
        cycle = " → ".join(exc.args[1])
        pytest.fail(f"import cycle between packages: {cycle} (move what both need to a package of its own)")


def test_the_cycle_check_sees_a_cycle():
    """The check itself: a graph with a circle in it is refused."""
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter({"survey.a": {"survey.b"}, "survey.b": {"survey.a"}}).prepare()


def test_the_pure_packages_import_nothing_of_the_app(package_graph):
    """Scoring is the published instrument's arithmetic: it stands on its own."""
    assert package_graph["survey.scoring"] == set()


def test_views_are_leaves(package_graph):
    """No domain package reaches up into a package of views."""
    audiences = {"survey.staff", "survey.respondent", "survey.main", "survey.api"}
    for source, targets in package_graph.items():
        if source in audiences or source in {"survey.benchmarking"}:
            continue
        assert not targets & audiences, f"{source} imports views: {sorted(targets & audiences)}"
