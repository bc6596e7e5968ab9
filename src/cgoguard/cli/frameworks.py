"""``cgoguard frameworks``: the compliance frameworks cgoguard maps its checks to."""

from __future__ import annotations

import argparse
import json
import sys

# The words of the text listing in Chinese; framework titles come from the mapping files themselves.
_GRADES_ZH = {"full": "完全", "partial": "部分", "supporting": "支持", "none": "无"}
_TEXT_STATUS_ZH = {
    "official-verified": "已核对官方文本",
    "secondary-copy": "取自二手副本",
    "paraphrase": "转述",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "frameworks", help="list the compliance frameworks the checks are mapped to, with their editions"
    )
    command.add_argument("--format", "-f", choices=("text", "json"), default="text")
    command.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="language of the text listing (clause texts stay as written)",
    )
    command.add_argument(
        "--mapping",
        metavar="FILE",
        action="append",
        default=[],
        help="a mapping file of your own (YAML, the shipped schema): adds a framework or replaces one",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cgoguard.controls import frameworks, frameworks_dict

    found = frameworks(args.mapping)
    if args.format == "json":
        json.dump(frameworks_dict(found), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    zh = args.lang == "zh"
    for framework, entry in zip(found, frameworks_dict(found), strict=True):
        counts = [(grade, n) for grade, n in entry["addressable"].items() if n]
        print(f"{entry['id']}  {entry['edition']}  {framework.display_title(args.lang)}")
        if zh:
            grades = "，".join(f"{_GRADES_ZH[grade]} {n}" for grade, n in counts)
            source = "内置" if entry["source"] == "shipped" else entry["source"]
            status = _TEXT_STATUS_ZH[entry["text_status"]]
            print(f"    {entry['controls']} 个控制项（{grades}）；条款文本：{status}；{source}")
        else:
            grades = ", ".join(f"{n} {grade}" for grade, n in counts)
            status = entry["text_status"]
            print(f"    {entry['controls']} controls ({grades}); texts: {status}; {entry['source']}")
    return 0
