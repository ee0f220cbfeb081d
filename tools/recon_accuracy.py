#!/usr/bin/python3
"""How accurate is `tomoedge recon`? Against the phantom, next to scikit-image's `iradon`.

Parallel-beam projections of a phantom are made with scikit-image's `radon` (a public tool's
geometry: rotation axis at pixel N//2 of the image and of the detector, row 0 at the top), either
on the detector grid itself (the "inverse crime") or on a 3x finer grid binned to the detector.
They are written as a Data Exchange file (flat 1, dark 0, data exp(-k p)), reconstructed with
`tomoedge recon --filter ram-lak`, and scored by the relative L2 error ||r - f|| / ||f|| against the
phantom f, inside the reconstruction circle (the field of view the projections determine) and over
the whole image. scikit-image's `iradon` (ramp filter, linear interpolation) on the same
projections is the yardstick.

usage: tools/recon_accuracy.py TOMOEDGE WORKDIR [--sizes 128 256 512] [--angles-per-size 2]
Needs Debian's python3-skimage, python3-h5py, python3-scipy (/usr/bin/python3).
"""
import argparse
import os
import subprocess
import sys

import h5py
import numpy as np
from skimage.data import shepp_logan_phantom
from skimage.transform import iradon, radon, resize


def foam_discs(size, seed, count=40):
    """Non-overlapping discs of several attenuations in a cylinder (the issue's foam-like object),
    as (cx, cy, r, value) in pixels, x right and y up from the rotation axis; values add."""
    rng = np.random.default_rng(seed)
    r_cyl = 0.42 * size
    discs = [(0.0, 0.0, r_cyl, 0.5)]
    placed = []
    for _ in range(2000):
        if len(placed) == count:
            break
        r = rng.uniform(0.03, 0.09) * size
        rho, phi = rng.uniform(0, r_cyl - r - 1), rng.uniform(0, 2 * np.pi)
        cx, cy = rho * np.cos(phi), rho * np.sin(phi)
        if all((cx - x) ** 2 + (cy - y) ** 2 > (r + q + 1) ** 2 for x, y, q in placed):
            placed.append((cx, cy, r))
            discs.append((cx, cy, r, rng.choice([0.0, 0.2, 0.9, 1.0]) - 0.5))
    return discs


def raster(discs, size, supersample=3):
    """The discs on the image grid (axis at pixel size // 2, row 0 at the top), each pixel the
    mean over supersample^2 sub-pixel points."""
    c = size // 2
    sub = (np.arange(size * supersample) + 0.5) / supersample - 0.5
    x = sub[None, :] - c
    y = c - sub[:, None]
    img = np.zeros((size * supersample, size * supersample))
    for cx, cy, r, v in discs:
        img += v * (((x - cx) ** 2 + (y - cy) ** 2) <= r * r)
    return img.reshape(size, supersample, size, supersample).mean(axis=(1, 3))


def analytic_projections(discs, angles_deg, size, supersample=3):
    """Closed-form line integrals (chords) of the discs, each detector pixel the mean over
    `supersample` points across it; detector pixel d sits at s = d - size // 2."""
    th = np.deg2rad(angles_deg)[:, None, None]
    s = (np.arange(size)[None, :, None] - size // 2 + (np.arange(supersample)[None, None, :] + 0.5) / supersample - 0.5)
    p = np.zeros((len(angles_deg), size, supersample))
    for cx, cy, r, v in discs:
        d = s - (cx * np.cos(th) + cy * np.sin(th))
        p += 2 * v * np.sqrt(np.clip(r * r - d * d, 0, None))
    return p.mean(axis=2)


def shepp_logan(size):
    return resize(shepp_logan_phantom(), (size, size), order=1, anti_aliasing=False)


def write_scan(path, sino, angles, k):
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        data = np.exp(-k * sino).astype(np.float32)[:, None, :]  # (angles, 1 row, cols)
        f["exchange/data"] = data
        f["exchange/data_white"] = np.ones((1, 1, sino.shape[1]), np.float32)
        f["exchange/data_dark"] = np.zeros((1, 1, sino.shape[1]), np.float32)
        f["exchange/theta"] = angles.astype(np.float32)
    os.replace(tmp, path)


def rel_error(r, f, mask):
    return float(np.linalg.norm((r - f)[mask]) / np.linalg.norm(f[mask]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tomoedge")
    ap.add_argument("workdir")
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 256, 512])
    ap.add_argument("--extra", default="", help="extra tomoedge recon flags, one string")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    print(f"{'phantom':<12} {'size':>5} {'angles':>6} {'data':<8} {'centre':>7} "
          f"{'iradon':>8} {'tomoedge':>8} {'ratio':>6} {'iradon*':>8} {'tomoedge*':>9} {'--circle*':>9}")
    print("(relative L2 error inside the reconstruction circle; * = over the whole image; iradon zeroes the "
          "outside of the circle, as tomoedge recon --circle does)")
    for size in args.sizes:
        n_angles = 2 * size
        angles = np.arange(n_angles) * 180.0 / n_angles
        yy, xx = np.mgrid[:size, :size]
        r = size // 2
        circle = (xx - r) ** 2 + (yy - r) ** 2 <= (r - 1) ** 2
        whole = np.ones_like(circle)
        cases = [("foam", "radon", lambda: raster(foam_discs(size, 7), size, 1), None),
                 ("foam", "analytic", lambda: raster(foam_discs(size, 7), size, 3),
                  lambda: analytic_projections(foam_discs(size, 7), angles, size)),
                 ("shepp-logan", "radon", lambda: shepp_logan(size), None)]
        for name, kind, make_truth, make_sino in cases:
            truth = make_truth()
            sino = make_sino() if make_sino else radon(truth, theta=angles, circle=True).T
            ref = iradon(sino.T, theta=angles, filter_name="ramp", interpolation="linear", circle=True)
            k = 2.0 / size
            scan = os.path.join(args.workdir, f"{name}_{size}_{kind}.h5")
            write_scan(scan, sino, angles, k)
            out = os.path.join(args.workdir, f"{name}_{size}_{kind}_rec.h5")
            centre = f"{size // 2}"
            cmd = [args.tomoedge, "recon", scan, "-o", f"{out}:/data", "--threads", "2", "--filter", "ram-lak",
                   "--center", centre, *args.extra.split()]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with h5py.File(out) as f:
                rec = f["data"][0] / k
            masked_out = out.replace(".h5", "_circle.h5")
            subprocess.run(cmd[:4] + [f"{masked_out}:/data"] + cmd[5:] + ["--circle"], check=True,
                           stdout=subprocess.DEVNULL)
            with h5py.File(masked_out) as f:
                rec_circle = f["data"][0] / k
            e_ref, e_te = rel_error(ref, truth, circle), rel_error(rec, truth, circle)
            print(f"{name:<12} {size:>5} {n_angles:>6} {kind:<8} "
                  f"{centre:>7} {e_ref:8.4f} {e_te:8.4f} {e_te / e_ref:6.3f} "
                  f"{rel_error(ref, truth, whole):8.4f} {rel_error(rec, truth, whole):9.4f} "
                  f"{rel_error(rec_circle, truth, whole):9.4f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
