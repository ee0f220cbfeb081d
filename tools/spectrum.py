#!/usr/bin/python3
"""What smoothing loses: the radially averaged power spectrum of an image against its reference's.

    /usr/bin/python3 tools/spectrum.py REF.h5:DS OUT.h5:DS [OUT2.h5:DS ...]

A denoiser trained on MSE alone predicts the conditional mean of the clean image, which is smoother
than any one clean image: its loss shows at high spatial frequencies, where SSIM and PSNR weigh
little. For each slice, the power |FFT|^2 of (image - mean) x a 2-D Hann window (so the image's
border does not leak power to every frequency) is averaged over rings of radial frequency; the
ratio of the output's power to the reference's, summed over a band of frequencies, is 1 for an
output with the reference's texture, below 1 for one smoother than it and above 1 for one with
extra (noise or artefact) power. Reported per band as the mean over slices.
"""
import sys

import numpy as np

# Bands in cycles per pixel (0.5 = Nyquist): mid and high frequencies.
BANDS = [(0.10, 0.25), (0.25, 0.50)]


def radial_power(image):
    """(frequencies in cycles/pixel, mean power in each ring of width 1/N) of a 2-D image."""
    h, w = image.shape
    window = np.outer(np.hanning(h), np.hanning(w))
    power = np.abs(np.fft.fftshift(np.fft.fft2((image - image.mean()) * window))) ** 2
    fy = np.fft.fftshift(np.fft.fftfreq(h))[:, None]
    fx = np.fft.fftshift(np.fft.fftfreq(w))[None, :]
    radius = np.hypot(fy, fx)
    ring = np.minimum((radius * min(h, w)).astype(int), min(h, w) // 2)
    sums = np.bincount(ring.ravel(), power.ravel())
    counts = np.bincount(ring.ravel())
    freqs = np.arange(len(sums)) / min(h, w)
    return freqs, sums / np.maximum(counts, 1)


def band_power_ratios(stack, reference):
    """Per band of BANDS: mean over slices of (output's power in the band) / (reference's)."""
    out = []
    for lo, hi in BANDS:
        ratios = []
        for a, b in zip(np.asarray(stack, np.float64), np.asarray(reference, np.float64)):
            f, pa = radial_power(a)
            _, pb = radial_power(b)
            band = (f >= lo) & (f < hi)
            ratios.append(pa[band].sum() / pb[band].sum())
        out.append(float(np.mean(ratios)))
    return out


def main():
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from classical_baselines import read
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ref = read(sys.argv[1])
    for path in sys.argv[2:]:
        ratios = band_power_ratios(read(path), ref)
        print(path, " ".join(f"{lo:g}-{hi:g}: {r:.3f}" for (lo, hi), r in zip(BANDS, ratios)))


if __name__ == "__main__":
    main()
