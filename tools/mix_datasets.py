#!/usr/bin/python3
"""Several TomoGAN-layout files of one slice size -> one file of the same layout, taking evenly
spaced slices of each (calibration and Fine-Tune data that cover every condition of a corpus).

    /usr/bin/python3 tools/mix_datasets.py OUT.h5 --train-slices 8 --test-slices 4 A.h5 B.h5 ...
"""
import argparse
import os
import sys

import h5py
import numpy as np


def evenly(n, k):
    return np.unique(np.linspace(0, n - 1, min(k, n)).round().astype(int))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--train-slices", type=int, default=8)
    parser.add_argument("--test-slices", type=int, default=4)
    args = parser.parse_args()
    parts = {name: [] for name in ("train_ns", "train_gt", "test_ns", "test_gt")}
    for path in args.inputs:
        with h5py.File(path, "r") as f:
            for split, k in (("train", args.train_slices), ("test", args.test_slices)):
                pick = evenly(f[f"{split}_ns"].shape[0], k)
                for kind in ("ns", "gt"):
                    parts[f"{split}_{kind}"].append(np.asarray(f[f"{split}_{kind}"][pick.tolist()], np.float32))
    shapes = {p.shape[1:] for arrays in parts.values() for p in arrays}
    if len(shapes) != 1:
        sys.exit(f"mix_datasets.py: the inputs have different slice sizes {sorted(shapes)}")
    tmp = args.output + ".part"
    with h5py.File(tmp, "w") as out:
        for name, arrays in parts.items():
            out.create_dataset(name, data=np.concatenate(arrays))
        out.attrs["mixed_from"] = ", ".join(os.path.relpath(p) for p in args.inputs)
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
