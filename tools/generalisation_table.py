#!/usr/bin/python3
"""One table of held-out conditions from tools/restoration_table.py JSON files (one per condition).

    /usr/bin/python3 tools/generalisation_table.py A/table.json B/table.json ...

Files in one folder are one condition: the rows of the later ones (models scored in another pass,
with --filters none) join the first one's.

Per condition: the input, each classical filter at its best-SSIM parameter (SSIM) and at its
best-PSNR parameter (PSNR: the highest PSNR any parameter of its grid reaches), then each model.
"beats" is yes when the model's SSIM is above every filter's best SSIM *and* its PSNR above every
filter's best PSNR on that condition: the goal of the generalising shipped model.
"""
import json
import os
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    by_folder = {}
    # The pass with the filters first, whatever the file names' order.
    paths = sorted(sys.argv[1:], key=lambda p: not any("best_psnr_any_parameter" in r for r in json.load(open(p))["rows"]))
    for path in paths:
        table = json.load(open(path))
        folder = os.path.dirname(os.path.abspath(path))
        if folder in by_folder:
            known = {r["method"] for r in by_folder[folder]["rows"]}
            by_folder[folder]["rows"] += [r for r in table["rows"] if r["method"] not in known]
        else:
            by_folder[folder] = table
    tables = sorted(by_folder.values(), key=lambda t: t["title"])
    filters = [r for r in tables[0]["rows"] if "best_psnr_any_parameter" in r]
    models = [r["method"] for r in tables[0]["rows"] if r["parameter"] is None and not r["method"].startswith("input")]
    head = ["condition", "input"] + [r["method"].split(" ")[0] + " (best)" for r in filters] + models
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    wins = {m: 0 for m in models}
    for t in tables:
        rows = {r["method"]: r for r in t["rows"]}
        best_ssim = max(rows[f["method"]]["ssim"] for f in filters)
        best_psnr = max(rows[f["method"]]["best_psnr_any_parameter"] for f in filters)
        inp = next(r for r in t["rows"] if r["method"].startswith("input"))
        cells = [t["title"].split(" (")[0], f"{inp['ssim']:.3f} / {inp['psnr']:.2f}"]
        for f in filters:
            r = rows[f["method"]]
            cells.append(f"{r['ssim']:.3f} / {r['best_psnr_any_parameter']:.2f}")
        for m in models:
            r = rows[m]
            beats = r["ssim"] > best_ssim and r["psnr"] > best_psnr
            wins[m] += beats
            cells.append(f"{'**' if beats else ''}{r['ssim']:.3f} / {r['psnr']:.2f}{'**' if beats else ''}")
        print("| " + " | ".join(cells) + " |")
    print()
    print("SSIM / PSNR (dB), means over the slices; a filter's SSIM is at its best-SSIM parameter and its PSNR")
    print("the best any parameter reaches; bold: above every filter in both.")
    for m in models:
        print(f"- {m}: above every filter in SSIM and PSNR on {wins[m]} of {len(tables)} held-out conditions")


if __name__ == "__main__":
    main()
