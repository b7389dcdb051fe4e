"""docs/ODD.md and the code must agree."""

import re
from pathlib import Path

from experiments.cli import parameter_markdown
from model import Parameters

ROOT = Path(__file__).resolve().parents[1]
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_parameter_table_matches_code():
    block = re.search(r"<!-- parameters:begin -->\n(.*)\n<!-- parameters:end -->", ODD, re.S)
    assert block, "parameter table markers missing"
    assert block.group(1) == parameter_markdown(), "regenerate with: radsim params --markdown"


def test_every_rule_parameter_is_used_in_the_equations():
    rules = ODD[ODD.index("### 7.3 Rules"):ODD.index("### 7.4")]
    town = ODD[ODD.index("### 7.1"):ODD.index("### 7.2")]
    init = ODD[ODD.index("## 5. Initialisation"):ODD.index("## 6.")]
    text = rules + town + init
    missing = [name for name in Parameters.model_fields if f"`{name}`" not in text
               and not name.startswith("weight_") and name not in ("n_residents",)]
    assert not missing, f"parameters not described in ODD §5/§7: {missing}"


def test_every_equation_is_written_once_in_rules():
    """E1-E17 are labelled in the ODD and in model/rules.py; the executions only call them."""
    rules = (ROOT / "model" / "rules.py").read_text()
    for k in range(1, 18):
        label = f"E{k}"
        assert f"**{label} " in ODD, label
        assert re.search(rf"\b{label}\b", rules), f"{label} not in rules.py"
    for execution in ("engine.py", "agents.py"):
        text = (ROOT / "model" / execution).read_text()
        assert "clip(" not in text, f"{execution} clips by itself"
        assert " + rate * (" not in text, f"{execution} relaxes by itself"

def test_every_intervention_coefficient_is_in_the_odd_with_its_default():
    """§7.5 names each coefficient of a mechanism in its intervention's row, with the code's default."""
    from model.interventions import intervention_table

    section = ODD[ODD.index("### 7.5 Interventions"):ODD.index("## 8.")]
    rows = {line.split("`")[1]: line for line in section.splitlines() if line.startswith("| `")}
    for row in intervention_table():
        if row["coefficient"]:
            text = rows[row["intervention"]]
            assert f"`{row['name']}` = {row['default']:g}" in text, (row["intervention"], row["name"], row["default"])
