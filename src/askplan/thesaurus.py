"""Short forms of government unit names as people type them, and the words unit names print (Simplified,
normalised): general usage across provinces, not facts of one corpus. The department view uses them to find
a unit (发改委 -> 省发展改革委); a corpus adds its own in askplan.toml under [units].

Question-side expansion with everyday words (逛街 -> 消费, 老机场 -> 骆岗 …) was removed in session 4: on the
quote-marked development sets written for every bundled document it lowered recall@1 (0.782 -> 0.764), and
several entries traced back to one tuning question each (eval/README.md)."""

from __future__ import annotations

EXPANSIONS: dict[str, str] = {
    "发改委": "发展改革委",
    "经信厅": "经济和信息化厅",
    "经信局": "经济和信息化局",
    "人社厅": "人力资源社会保障厅",
    "人社局": "人力资源社会保障局",
    "住建厅": "住房城乡建设厅",
    "住建局": "住房城乡建设局",
    "卫健委": "卫生健康委",
    "市监局": "市场监管局",
}
