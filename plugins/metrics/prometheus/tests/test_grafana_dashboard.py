import json
import pathlib
import re

from ovms_metrics import FAMILIES

DASHBOARD = pathlib.Path(__file__).parents[4] / "deploy" / "grafana" / "ovms-dashboard.json"


def expressions(document):
    return [t["expr"] for panel in document["panels"] for t in panel["targets"]]


def test_dashboard_queries_only_served_families_and_shows_each_of_them():
    document = json.loads(DASHBOARD.read_text())
    kinds = {f.name: f.kind for f in FAMILIES}
    used = set()
    for expr in expressions(document):
        for name in re.findall(r"\bovms_\w+", expr):
            family = re.sub(r"_(bucket|sum|count)$", "", name)
            assert family in kinds, name
            assert (family != name) == (kinds[family] == "histogram"), name
            used.add(family)
    assert used == set(kinds)


def test_panels_have_unique_ids_and_use_the_datasource_variable():
    document = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in document["panels"]]
    assert len(ids) == len(set(ids))
    assert all(panel["datasource"]["uid"] == "${datasource}" for panel in document["panels"])
    variables = {v["name"] for v in document["templating"]["list"]}
    assert variables == {"datasource", "model"}
