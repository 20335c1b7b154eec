#!/usr/bin/env python3
"""docs/precision-policy.md lists every op that has an autocast category,
with the category its op class declares (as docs/dialect.md, generated from
the .td files, shows among the op's traits), and no other op.

Usage: precision_policy_table.py SOURCE_DIR"""

import os
import re
import sys

CATEGORIES = {"Mpc_Allow": "allow", "Mpc_Deny": "deny",
              "Mpc_Infer": "infer", "Mpc_Clear": "clear"}


def declared_categories(dialect_doc):
    """{op: category} from the op sections of docs/dialect.md."""
    declared = {}
    op = None
    for line in dialect_doc.splitlines():
        heading = re.match(r"^### `mpc\.(\w+)`", line)
        if heading:
            op = heading.group(1)
        elif line.startswith("Traits:") and op:
            for trait, category in CATEGORIES.items():
                if f"`{trait}`" in line:
                    declared[op] = category
    return declared


def documented_categories(policy_doc):
    """{op: category} from the default-policy table."""
    documented = {}
    table = policy_doc.split("## The default policy", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[1] not in CATEGORIES.values():
            continue
        for op in re.findall(r"`(\w+)`", cells[0]):
            documented[op] = cells[1]
    return documented


def main():
    source = sys.argv[1]
    with open(os.path.join(source, "docs", "dialect.md")) as f:
        declared = declared_categories(f.read())
    with open(os.path.join(source, "docs", "precision-policy.md")) as f:
        documented = documented_categories(f.read())
    problems = []
    for op, category in sorted(declared.items()):
        if op not in documented:
            problems.append(f"{op} ({category}) is missing from the table")
        elif documented[op] != category:
            problems.append(f"{op} is {category}, the table says "
                            f"{documented[op]}")
    for op in sorted(set(documented) - set(declared)):
        problems.append(f"{op} is in the table but declares no category")
    for problem in problems:
        print(f"FAIL: docs/precision-policy.md: {problem}")
    if problems or not declared:
        sys.exit(1)
    print(f"{len(declared)} ops, all documented with their category")


if __name__ == "__main__":
    main()
