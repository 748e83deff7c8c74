"""Write the small imported history used by the tests (run once; the output is committed).

python tests/data/make_history.py  ->  cmo-2010.csv, cmo-2011.jsonl, cmo-2012.csv
Unrealistic timeframes, top-2 box: 32 of 39 (82.1%), 46 of 50 (92.0%), 31 of 36 (86.1%).
"""

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
SCALE = ["very_common", "somewhat_common", "rare", "not_a_problem"]
ITEMS = [
    "communicate", "timeframes", "cost_containment", "process_variability", "tech_transfer",
    "scale_differences", "difficult_problems", "regulatory_role", "hand_off",
    "unsuitable_cell_lines",
]  # fmt: skip
SIZES, REGIONS = ["small", "medium", "large"], ["north_america", "europe", "asia", "other"]
PLAN = {  # edition: (rows, timeframes very_common, timeframes top-2)
    2010: (39, 20, 32),
    2011: (50, 26, 46),
    2012: (36, 19, 31),
}


def rows(edition: int) -> list[dict[str, str]]:
    rng = random.Random(edition)
    count, top, top2 = PLAN[edition]
    timeframes = ["very_common"] * top + ["somewhat_common"] * (top2 - top)
    timeframes += [rng.choice(SCALE[2:]) for _ in range(count - top2)]
    rng.shuffle(timeframes)
    out = []
    for number in range(count):
        row = {"response_id": f"hist-{edition}-{number:03d}",
               "submitted_at": f"{edition}-05-{1 + number % 28:02d}T10:{number % 60:02d}:00Z",
               "edition": str(edition),
               "company_size": SIZES[rng.randrange(3) if number % 4 else 0],
               "region": rng.choice(REGIONS)}  # fmt: skip
        for item in ITEMS:
            if item == "hand_off" and edition == 2010:
                continue
            value = timeframes[number] if item == "timeframes" else rng.choice(SCALE)
            row[f"problems-{item}"] = value
        row["comments"] = rng.choice(["", "", "Deadlines slip; budgets don't.", "Fine, thanks"])
        out.append(row)
    return out


def main() -> None:
    for edition in (2010, 2012):
        data = rows(edition)
        with open(HERE / f"cmo-{edition}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(data[0]))
            writer.writeheader()
            writer.writerows(data)
    with open(HERE / "cmo-2011.jsonl", "w", encoding="utf-8") as handle:
        for row in rows(2011):
            del row["response_id"]
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
