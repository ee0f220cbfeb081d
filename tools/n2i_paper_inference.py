#!/usr/bin/python3
"""Noise2Inverse's inference as in the paper: the network on each of the K leave-one-out
reconstructions, the K predictions averaged.

    PYTHONPATH=build/python /usr/bin/python3 tools/n2i_paper_inference.py MODEL.onnx FULL.h5:DS \\
        X1_0.h5:DS X1_1.h5:DS ... -o OUT.h5:DS

Each leave-one-out input is normalised with the window of the FULL reconstruction, the window
`train --self-supervised` trained with (`denoise` on a leave-one-out file alone would take that
file's own, wider window: its noise is K/(K-1) times the full reconstruction's variance).
"""
import argparse
import os
import sys

import h5py
import numpy as np

import tomoedge

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classical_baselines import read  # noqa: E402  (one reader of FILE.h5:DATASET for the tools)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("full")
    parser.add_argument("leave_one_out", nargs="+")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    model = tomoedge.Model(args.model)
    window = model.window(read(args.full))
    mean = np.mean([model.denoise(read(p), window=window) for p in args.leave_one_out], axis=0)
    file, _, dataset = args.output.rpartition(":")
    with h5py.File(file + ".part", "w") as f:
        f[dataset] = mean.astype(np.float32)
    os.replace(file + ".part", file)


if __name__ == "__main__":
    main()
