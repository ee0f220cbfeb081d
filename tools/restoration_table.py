#!/usr/bin/python3
"""Scores restored stacks against a reference, beside every classical filter at its best parameter.

    /usr/bin/python3 tools/restoration_table.py --reference REF.h5:DS --noisy IN.h5:DS \\
        [--model NAME=OUT.h5:DS ...] [--mean NAME=A.h5:DS,B.h5:DS,...] [--json OUT] [--title TEXT]
        [--filters gaussian,median,nlm,tv]

Classical filters (Gaussian, median, non-local means, total variation: tools/classical_baselines.py)
are applied to the noisy stack with every parameter of their grid, and each is reported at the
parameter with the best mean SSIM on this very stack: an oracle choice, the best each filter can do
here, which a user without a reference could not make. Models are not given that advantage.
--mean averages several stacks (Noise2Inverse's inference: the mean of the K predictions).
SSIM and PSNR follow `tomoedge compare` (data range = max - min of each reference slice).
Every row also gets the high-frequency power ratios of tools/spectrum.py (what smoothing loses).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classical_baselines import FILTERS, read, scores  # noqa: E402  (one definition of each filter)
from spectrum import BANDS, band_power_ratios  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", required=True)
    parser.add_argument("--noisy", required=True)
    parser.add_argument("--model", action="append", default=[], help="NAME=FILE.h5:DATASET")
    parser.add_argument("--mean", action="append", default=[], help="NAME=A.h5:DS,B.h5:DS,...")
    parser.add_argument("--json")
    parser.add_argument("--title", default="")
    parser.add_argument("--filters", default=",".join(FILTERS), help="which classical filters (comma-separated, or none)")
    args = parser.parse_args()
    filters = {} if args.filters == "none" else {name: FILTERS[name] for name in args.filters.split(",")}

    ref, noisy = read(args.reference), read(args.noisy)
    if ref.shape != noisy.shape:
        sys.exit(f"{args.noisy}: shape {noisy.shape}, the reference is {ref.shape}")
    rows = [{"method": "input (FBP of the low-dose scan)", "parameter": None,
             **dict(zip(("ssim", "psnr"), scores(noisy, ref))), "hf_power": band_power_ratios(noisy, ref)}]
    for name, (apply, param_name, grid) in filters.items():
        outputs = {p: apply(noisy, p) for p in grid}
        results = {p: scores(out, ref) for p, out in outputs.items()}
        best = max(results, key=lambda p: results[p][0])
        best_psnr = max(r[1] for r in results.values())
        rows.append({"method": f"{name} filter (best parameter)", "parameter": f"{param_name} = {best}",
                     "ssim": results[best][0], "psnr": results[best][1], "best_psnr_any_parameter": best_psnr,
                     "best_psnr_parameter": max(results, key=lambda p: results[p][1]),
                     "hf_power": band_power_ratios(outputs[best], ref)})
    outputs = [(spec.partition("=")[0], read(spec.partition("=")[2])) for spec in args.model]
    for spec in args.mean:
        name, _, paths = spec.partition("=")
        outputs.append((name, np.mean([read(p) for p in paths.split(",")], axis=0)))
    for name, out in outputs:
        if out.shape != ref.shape:
            sys.exit(f"{name}: shape {out.shape}, the reference is {ref.shape}")
        ssim, psnr = scores(out, ref)
        rows.append({"method": name, "parameter": None, "ssim": ssim, "psnr": psnr,
                     "hf_power": band_power_ratios(out, ref)})

    if args.title:
        print(f"{args.title}\n")
    bands = " | ".join(f"power {lo:g}-{hi:g} cyc/px (out/ref)" for lo, hi in BANDS)
    print(f"| method ({len(ref)} slices) | parameter | mean SSIM | mean PSNR (dB) | {bands} |")
    print("|---|---|---|---|" + "---|" * len(BANDS))
    for r in rows:
        ratios = " | ".join(f"{v:.3f}" for v in r["hf_power"])
        print(f"| {r['method']} | {r['parameter'] or '-'} | {r['ssim']:.4f} | {r['psnr']:.2f} | {ratios} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"title": args.title, "reference": args.reference, "noisy": args.noisy,
                       "hf_bands_cycles_per_pixel": BANDS, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
