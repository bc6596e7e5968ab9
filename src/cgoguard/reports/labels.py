"""The words of human-readable reports, in English and Simplified Chinese.

Labels only: clause texts stay in the language they were written in, check
messages are English facts (paths, symbols, flags). No label says that a
system is compliant; a test reads every value of this table to make sure.
"""

from __future__ import annotations

LANGS = ("en", "zh")

_LABELS: dict[str, tuple[str, str]] = {
    # control results (cgoguard.evidence)
    "gaps": ("gaps found", "发现差距"),
    "evidenced": ("evidenced", "有证据"),
    "not-evaluated": ("not evaluated", "未评估"),
    "not-addressable": ("not addressable by binary analysis", "二进制分析无法提供证据"),
    "partly-evaluated": ("partly evaluated", "部分评估"),
    # relationships of an edge
    "satisfies": ("satisfies", "满足"),
    "partially-satisfies": ("partially satisfies", "部分满足"),
    "supports": ("supports", "支持"),
    "none": ("none", "无"),
    # an edge whose checks were measured by running the artifact (cgoguard probe)
    "measured": ("measured", "实测"),
    # check outcomes (cgoguard.model.Outcome)
    "passed": ("passed", "通过"),
    "failed": ("failed", "未通过"),
    "reported": ("reported", "已报告"),
    "not-applicable": ("not applicable", "不适用"),
    # headings and phrases
    "title": ("cgoguard comply: evidence per control", "cgoguard comply：逐项控制点证据"),
    "disclaimer": (
        "Evidence from binary and build analysis of the audited artifacts only. It does not say whether "
        "a system meets the framework: the assessor decides, with the evidence listed as still needed.",
        "以下仅为对所审计制品进行二进制与构建分析得到的证据，不表示被测系统是否达到该标准的要求；"
        "结论由测评人员结合下列尚需核查的内容作出。",
    ),
    "inputs": ("Inputs", "输入"),
    "images": ("images scanned", "个映像已扫描"),
    "go_images": ("with Go code", "含 Go 代码"),
    "linted": ("source files linted", "个源文件已检查"),
    "manifests": ("build manifests", "个构建清单"),
    "vulndb": ("vulnerability database", "漏洞库"),
    "vulndb_off": ("none (known vulnerabilities not checked)", "未使用（未检查已知漏洞）"),
    "texts": ("clause texts", "条款文本"),
    "official-verified": ("official text", "官方文本"),
    "secondary-copy": ("from secondary copies", "取自二手文本"),
    "paraphrase": ("paraphrased", "转述"),
    "missing": ("not evaluated", "未评估"),
    "assessor": ("the assessor must also", "测评人员还需"),
    "why_not": ("why not", "原因"),
    "on": ("on", "于"),
    "of": ("of", "/"),
    "subjects": ("subject(s)", "个对象"),
    "not_addressable_list": ("Not addressable by binary analysis", "二进制分析无法提供证据的控制点"),
    "control": ("control", "控制点"),
    "result": ("result", "结果"),
    "grade": ("evidence grade", "证据等级"),
    "checks": ("checks", "检查项"),
    "framework": ("framework", "标准"),
    "matrix_title": (
        "Build mode × control: the checks that apply, and which a profile's build verifies",
        "构建模式 × 控制点：适用的检查项，以及构建配置会验证的检查项",
    ),
    "matrix_legend": (
        "✓ verified by every build of the profile (the build fails otherwise)   "
        "· judged when the artifact is scanned   (absent: not applicable to the mode)",
        "✓ 该构建配置的每次构建都会验证（否则构建失败）   · 扫描制品时判定   （未列出：不适用于该模式）",
    ),
    "profile": ("profile", "构建配置"),
    # the text report's headings
    "could_not_read": ("Could not read", "无法读取"),
    "across_artifacts": ("Across artifacts", "跨制品"),
    "by_rule": ("Findings by rule (findings, files, examples)", "按规则汇总 (问题数、文件数、示例)"),
    "by_check": ("Findings by check (findings, artifacts, examples)", "按检查项汇总 (问题数、制品数、示例)"),
    "fixed_since": ("Fixed since the baseline", "自基线以来已修复"),
    "not_checked": ("Not checked:", "未检查："),
    "mode": ("build mode", "构建模式"),
}


def label(key: str, lang: str = "en") -> str:
    """The label for ``key`` in ``lang`` ("en" or "zh"); the key itself when there is none."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "zh" else pair[0]


def all_labels() -> list[str]:
    """Every label in every language (for the test that none claims compliance)."""
    return [text for pair in _LABELS.values() for text in pair]
