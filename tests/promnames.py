# SPDX-License-Identifier: MIT
"""Metric names, with the standard library only: the families of a text
exposition, the metric names a PromQL expression selects, and the rules,
alerts and unit-test cases of the shipped rule files (which use a small,
regular subset of YAML: one key per line, block scalars with "|" and ">-")."""
import re

KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
    "group_right", "bool", "offset", "inf", "nan", "atan2",
}
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def exposition_names(text):
    """The metric names of a text exposition (0.0.4): each # TYPE family
    and each sample's name."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            m = IDENT.match(line)
            if m:
                names.add(m.group(0))
    return names


def _strip(expr):
    """expr without strings, label matchers, ranges, template variables and
    the label lists of by/without/on/ignoring/group_left/group_right."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""',
                  expr)
    expr = re.sub(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*", "1", expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*"
                  r"\([^)]*\)", r"\1", expr)
    return expr


def promql_names(expr):
    """The metric names an expression selects: identifiers that are not
    functions (followed by "("), keywords or numbers."""
    s = _strip(expr)
    names = set()
    for m in IDENT.finditer(s):
        word = m.group(0)
        rest = s[m.end():].lstrip()
        if rest.startswith("(") or re.match(r"(by|without)\b", rest):
            continue
        if word.lower() in KEYWORDS:
            continue
        # a duration or number like 5m or 1e3 cannot start with a letter,
        # but exponent parts can: skip identifiers glued to a digit
        if m.start() > 0 and s[m.start() - 1].isdigit():
            continue
        names.add(word)
    return names


def _blocks(path):
    """Yields (indent, key, value) for every "key: value" line of a YAML
    file, a block scalar ("|", ">-") read into its value, list dashes
    counted as indentation."""
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = re.match(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$",
                     line)
        if not m:
            continue
        indent, key, value = len(m.group(1)), m.group(2), m.group(3)
        if value in ("|", ">-", ">", "|-"):
            body = []
            while i < len(lines) and (not lines[i].strip() or
                                      len(lines[i]) - len(lines[i].lstrip())
                                      > indent):
                body.append(lines[i].strip())
                i += 1
            sep = "\n" if value.startswith("|") else " "
            value = sep.join(body).strip()
        elif len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        yield indent, key, value


def rules(path):
    """The rules of a rule file: a list of dicts with "alert" or "record",
    "expr", "for" and "annotations" (a dict)."""
    out = []
    cur = None
    in_ann = False
    for indent, key, value in _blocks(path):
        if key in ("alert", "record"):
            cur = {key: value, "annotations": {}}
            out.append(cur)
            in_ann = False
        elif cur is None:
            continue
        elif key == "annotations":
            in_ann, ann_indent = True, indent
        elif key == "labels":
            in_ann = False
        elif in_ann and indent > ann_indent:
            cur["annotations"][key] = value
        else:
            in_ann = False
            cur[key] = value
    return out


def alert_cases(path):
    """(alertname, fires) for every alert_rule_test case of a promtool
    test file: fires is False for "exp_alerts: []"."""
    out = []
    name = None
    for indent, key, value in _blocks(path):
        if key == "alertname":
            name = value
        elif key == "exp_alerts" and name is not None:
            out.append((name, value.strip() != "[]"))
            name = None
    return out
