"""Checks that SVG_FILE is the rendering of DOT_FILE: it parses as SVG,
and it holds a node for every node the DOT declares, the three clusters of
a training step and the legend, red cast edges, and each TEXT given.

usage: check_svg.py DOT_FILE SVG_FILE TEXT..."""

import re
import sys
import xml.etree.ElementTree as ElementTree

SVG = "{http://www.w3.org/2000/svg}"


def main():
    dot_path, svg_path, *wanted = sys.argv[1:]
    with open(dot_path, encoding="utf-8") as f:
        declared = set(re.findall(r"^\s*(\w+) \[label=", f.read(), re.M))
    declared.discard("graph")  # the graph attributes, not a node
    root = ElementTree.parse(svg_path).getroot()
    assert root.tag == SVG + "svg", f"{svg_path}: root element {root.tag}"
    groups = {}
    for group in root.iter(SVG + "g"):
        title = group.find(SVG + "title")
        if title is not None:
            groups.setdefault(group.get("class"), set()).add(title.text)
    assert groups.get("node") == declared, \
        f"nodes drawn {sorted(groups.get('node', ()))}, declared {sorted(declared)}"
    clusters = groups.get("cluster", set())
    for name in ("forward", "backward", "optimizer", "legend"):
        assert f"cluster_{name}" in clusters, f"no cluster_{name}: {clusters}"
    red = [path for path in root.iter(SVG + "path") if path.get("stroke") == "#d62728"]
    assert red, "no red (cast) edge drawn"
    texts = {text.text for text in root.iter(SVG + "text")}
    missing = [text for text in wanted if text not in texts]
    assert not missing, f"no text {missing} in the SVG"
    print(f"{svg_path}: {len(declared)} nodes, {len(red)} cast edges")


if __name__ == "__main__":
    main()
