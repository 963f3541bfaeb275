# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/ODD.md, the models' description in the ODD protocol (issue 18, item 3): every config
key it names in a table's Key column is one that `migsim check` accepts and that README.md's
scenario reference lists; every model that `migsim --help` lists has a section; the engine,
`basic` and `corridor` have each heading of the protocol; every parameter row says its source."""
import re
import subprocess

import yaml

from conftest import REPO, migsim_binary

ODD = REPO / "docs" / "ODD.md"
README = REPO / "README.md"
CORRIDOR = REPO / "configs" / "corridor" / "corridor.yaml"

KEY = re.compile(r"^[a-z_][a-z0-9_]*(\[[a-z0-9]\])?(\.[a-z_][a-z0-9_]*(\[[a-z0-9]\])?)*$")
INDEX = re.compile(r"\[[^\]]*\]")
# The headings of the protocol each full section has (Grimm et al. 2020), in this order.
ODD_HEADINGS = ("Overview", "Purpose and patterns", "Entities, state variables and scales",
                "Process overview and scheduling", "Design concepts", "Details", "Initialisation",
                "Input data", "Submodels")
FULL_SECTIONS = ("The engine (shared by every model)", "Model `basic`", "Model `corridor`", "Model `flee`")
NOT_A_KEY = "corridor.hazards[i].terms[k].odd_probe_not_a_key"


def tables(text):
    """Each markdown table as (header cells, body rows of cells)."""
    out, block = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            block.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif block:
            if len(block) >= 2 and set("".join(block[1])) <= set("-: "):
                out.append((block[0], block[2:]))
            block = []
    return out


def odd_keys():
    """The `key.path`s of every Key column of docs/ODD.md, in order, each once."""
    keys = []
    for head, rows in tables(ODD.read_text()):
        if "Key" not in head:
            continue
        col = head.index("Key")
        for row in rows:
            for tok in re.findall(r"`([^`]+)`", row[col]):
                assert KEY.match(tok), f"docs/ODD.md: {tok!r} in a Key column is not a key path"
                if tok not in keys:
                    keys.append(tok)
    return keys


def readme_reference_keys():
    """The keys of README.md's scenario reference, list indices dropped ("sources[].rate"):
    a cell's `.to` continues the key before it, `…x` is an intervention's key; and those of
    a model's section table ("key of `flee:`") anywhere in README.md."""
    text = README.read_text()
    ref = text[text.index("\n## Scenario reference"):]
    ref = ref[:ref.index("\n## ", 1)]
    keys = set()
    for head, rows in tables(text):
        m = re.fullmatch(r"key of `([a-z_]+):`", head[0])
        for row in rows if m else ():
            keys.update(f"{m.group(1)}.{tok}" for tok in re.findall(r"`([a-z_]+)`", row[0]))
    for head, rows in tables(ref):
        if head[0] != "key":
            continue
        for row in rows:
            prev = None
            for tok in re.findall(r"`([^`]+)`", row[0]):
                if tok.startswith("…"):
                    rest = tok[1:]
                    tok = "packages[i]." + rest if rest.startswith("interventions") else \
                        "packages[i].interventions[j]." + rest
                elif tok.startswith(".") and prev:
                    tok = prev.rsplit(".", 1)[0] + tok
                prev = tok
                keys.add(INDEX.sub("[]", tok))
    return keys


def probe_sets(keys):
    """--set options giving every key a wrong value "zz", lists with one entry: a key that
    `migsim check` does not know is then reported as an unknown key."""
    doc = {}
    for key in keys:
        node, parts = doc, key.split(".")
        for n, part in enumerate(parts):
            m = re.match(r"([a-z0-9_]+)(\[[^\]]*\])?$", part)
            name, listed, last = m.group(1), m.group(2), n == len(parts) - 1
            if listed:
                node = node.setdefault(name, [{}])[0]
                if last:
                    node.setdefault("name", "zz")
            elif last:
                node.setdefault(name, "zz")
            else:
                node = node.setdefault(name, {})
    return [f"{top}={yaml.safe_dump(value, default_flow_style=True, width=10**9).strip()}"
            if isinstance(value, (dict, list)) else f"{top}={value}" for top, value in doc.items()]


def unknown_keys(keys):
    """The keys of `keys` that `migsim check` reports as unknown on the corridor scenario."""
    cmd = [str(migsim_binary()), "check", str(CORRIDOR)]
    for s in probe_sets(keys):
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True, text=True)
    # 78: a bad configuration, reported (not a crash, nor the wrong values accepted)
    assert done.returncode == 78, (done.returncode, done.stderr[-2000:])
    assert "Sanitizer" not in done.stderr, done.stderr[-2000:]
    bad = []
    for line in done.stderr.splitlines():
        m = re.search(r": ([^ :]+): (unknown key|no such list)", line)
        if m:
            bad.append(INDEX.sub("[]", m.group(1)))
    return [k for k in keys if any(INDEX.sub("[]", k) == b or INDEX.sub("[]", k).startswith(b + ".")
                                   or INDEX.sub("[]", k).startswith(b + "[") for b in bad)]


def test_odd_names_many_keys():
    keys = odd_keys()
    assert len(keys) >= 100, len(keys)
    for key in ("movement.lookahead_discount", "corridor.hazards[i].terms[k].beta",
                "packages[i].interventions[j].probability", "corridor.securing_border.on_at"):
        assert key in keys, key


def test_every_odd_key_is_accepted_by_migsim_check():
    keys = odd_keys()
    assert unknown_keys(keys + [NOT_A_KEY]) == [NOT_A_KEY]   # the probe finds a wrong key
    assert unknown_keys(keys) == []


def test_every_odd_key_is_in_the_readme_scenario_reference():
    ref = readme_reference_keys()
    assert "packages[].interventions[].deport" in ref and "sources[].to" in ref
    missing = [k for k in odd_keys() if INDEX.sub("[]", k) not in ref]
    assert missing == []


def sections(text):
    """{"## " heading without its number: [the "### " and "#### " headings under it]}."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"(#{2,4}) (?:[0-9.]+ )?(.*\S)\s*$", line)
        if not m:
            continue
        if len(m.group(1)) == 2:
            cur = out.setdefault(m.group(2), [])
        elif cur is not None:
            cur.append(m.group(2))
    return out


def test_odd_has_the_protocol_headings_for_each_model():
    found = sections(ODD.read_text())
    for name in FULL_SECTIONS:
        assert name in found, name
        heads = found[name]
        pos = [heads.index(h) if h in heads else -1 for h in ODD_HEADINGS]
        assert -1 not in pos, (name, [h for h, p in zip(ODD_HEADINGS, pos) if p < 0])
        assert pos == sorted(pos), (name, "headings out of order")


def test_every_model_of_the_binary_has_a_section():
    out = subprocess.run([str(migsim_binary()), "--help"], capture_output=True, text=True,
                         check=True).stdout
    block = out[out.index("\nModels:\n") + 9:].split("\n\n")[0]
    models = [line.split()[0] for line in block.splitlines() if line.strip()]
    assert "basic" in models and "corridor" in models
    found = sections(ODD.read_text())
    assert [m for m in models if f"Model `{m}`" not in found] == []


def test_every_parameter_row_has_a_source():
    for head, rows in tables(ODD.read_text()):
        if "Key" in head and "Source" in head:
            col = head.index("Source")
            for row in rows:
                assert row[col] not in ("", "—"), row
