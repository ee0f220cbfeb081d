"""The Python module against the `tomoedge` command on the same data: denoise, recon, ssim/psnr
and quantize must give the command's results; errors map to tomoedge.Error / TypeError /
ValueError. Run by CTest (tests/python/CMakeLists.txt) with PYTHONPATH at build/python,
TOMOEDGE_BINARY (the CLI) and TOMOEDGE_SOURCE_DIR (for models/)."""
import json
import os
import subprocess
import threading
from pathlib import Path

import h5py
import numpy as np
import pytest

import tomoedge

SOURCE = Path(os.environ.get("TOMOEDGE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CLI = os.environ.get("TOMOEDGE_BINARY", str(SOURCE / "build" / "src" / "cli" / "tomoedge"))
FP32 = str(SOURCE / "models" / "tomogan-general.onnx")
INT8 = str(SOURCE / "models" / "tomogan-general-int8.onnx")


def run_cli(*args, check=True):
    result = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"tomoedge {' '.join(map(str, args))} failed: {result.stderr}")
    return result


def read(path, dataset):
    with h5py.File(path, "r") as f:
        return f[dataset][()]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """A small simulated dataset: dataset.h5 (train/test ns/gt, 4 slices of 64 x 64 each) and the
    Data Exchange scans under projections/."""
    root = tmp_path_factory.mktemp("sim")
    run_cli("simulate", "-o", root, "--size", 64, "--slices", 4, "--volumes", 2, "--test-volumes", 1, "--seed", 3)
    return root


@pytest.fixture(scope="module")
def noisy(sim):
    return read(sim / "dataset.h5", "test_ns")


@pytest.fixture(scope="module")
def int8_model():
    return tomoedge.Model(INT8, threads=2)


def cli_denoise(model, source, out, *flags):
    run_cli("denoise", model, source, f"{out}:dn", "--threads", 2, *flags)
    return read(out, "dn")


# ---------------------------------------------------------------------------------------- denoise


def test_int8_denoise_is_bit_identical_to_the_cli(sim, noisy, int8_model, tmp_path):
    expected = cli_denoise(INT8, f"{sim}/dataset.h5:test_ns", tmp_path / "dn.h5")
    assert noisy.dtype == np.float32 and noisy.shape == (4, 64, 64)
    got = int8_model.denoise(noisy)
    assert got.dtype == np.float32 and got.shape == noisy.shape
    np.testing.assert_array_equal(got, expected)
    assert int8_model.precision == "int8" and int8_model.backend == "onednn"


def test_fp32_denoise_matches_the_cli(sim, noisy, tmp_path):
    expected = cli_denoise(FP32, f"{sim}/dataset.h5:test_ns", tmp_path / "dn.h5")
    got = tomoedge.Model(FP32, threads=2).denoise(noisy)
    scale = float(expected.max() - expected.min())
    assert np.max(np.abs(got - expected)) <= 1e-5 * scale


def test_tiled_denoise_matches_the_cli_tiles(sim, noisy, int8_model, tmp_path):
    expected = cli_denoise(INT8, f"{sim}/dataset.h5:test_ns", tmp_path / "dn.h5", "--tile", 32, "--workers", 2)
    np.testing.assert_array_equal(int8_model.denoise(noisy, tile=32, workers=2), expected)
    # The paper's stitching (no halo) differs, and the runner switches back to whole images.
    expected_halo0 = cli_denoise(INT8, f"{sim}/dataset.h5:test_ns", tmp_path / "dn0.h5", "--tile", 32, "--halo", 0)
    np.testing.assert_array_equal(int8_model.denoise(noisy, tile=32, halo=0), expected_halo0)
    np.testing.assert_array_equal(int8_model.denoise(noisy), int8_model.denoise(noisy, tile=0))


def test_a_2d_image_gives_a_2d_output_as_the_cli_does(noisy, int8_model, tmp_path):
    image = np.ascontiguousarray(noisy[1])
    with h5py.File(tmp_path / "image.h5", "w") as f:
        f["img"] = image
    expected = cli_denoise(INT8, f"{tmp_path}/image.h5:img", tmp_path / "dn.h5")
    got = int8_model.denoise(image)
    assert got.shape == (64, 64)
    np.testing.assert_array_equal(got, expected.reshape(64, 64))


def test_non_contiguous_input_is_copied_not_refused(noisy, int8_model):
    strided = np.asfortranarray(noisy)
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(int8_model.denoise(strided), int8_model.denoise(noisy))


def test_window_is_the_clis_window(sim, noisy, int8_model):
    report = json.loads(run_cli("denoise", INT8, f"{sim}/dataset.h5:test_ns", f"{sim}/w.h5:dn", "--json").stdout)
    window = int8_model.window(noisy)
    assert list(window) == report["window"]
    # Chunks of a volume on the whole volume's scale equal the whole volume's slices.
    whole = int8_model.denoise(noisy)
    np.testing.assert_array_equal(int8_model.denoise(noisy, window=window), whole)
    np.testing.assert_array_equal(int8_model.denoise(noisy[1:4], window=window)[1], whole[2])


def test_metadata_input_depth_and_repr(int8_model):
    meta = int8_model.metadata
    assert isinstance(meta, dict)
    assert meta["tomoedge.input_depth"] == "3"
    assert meta["tomoedge.architecture"] == "tomogan"
    assert meta["tomoedge.quantization"].startswith("int8 qdq")
    assert "tomoedge.quantization" not in tomoedge.Model(FP32).metadata
    assert int8_model.input_depth == 3
    assert "tomogan-general-int8.onnx" in repr(int8_model)


def test_concurrent_calls_on_one_model_are_serialised(noisy, int8_model):
    expected = int8_model.denoise(noisy)
    results = [None] * 4

    def work(i):
        results[i] = int8_model.denoise(noisy)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


# ----------------------------------------------------------------------------------------- errors


def test_missing_model_raises_the_clis_message(tmp_path):
    missing = tmp_path / "missing.onnx"
    with pytest.raises(tomoedge.Error) as info:
        tomoedge.Model(str(missing))
    assert isinstance(info.value, RuntimeError)
    cli = run_cli("denoise", missing, "in.h5:x", "out.h5:y", check=False)
    assert cli.returncode == 1
    assert cli.stderr.strip() == f"tomoedge: error: {info.value}"


def test_wrong_dtype_and_rank_are_refused(noisy, int8_model):
    with pytest.raises(TypeError, match=r"volume: expected a float32 array, got dtype float64"):
        int8_model.denoise(noisy.astype(np.float64))
    with pytest.raises(TypeError, match=r"volume: expected a float32 array, got dtype uint16"):
        int8_model.denoise(noisy.astype(np.uint16))
    with pytest.raises(TypeError, match=r"volume: expected a NumPy array, got list"):
        int8_model.denoise([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"volume: expected a 3-D \(N, H, W\) volume or a 2-D \(H, W\) image, "
                                         r"got a 4-D array of shape \(1, 4, 64, 64\)"):
        int8_model.denoise(noisy[None])
    with pytest.raises(ValueError, match=r"got a 1-D array of shape \(64,\)"):
        int8_model.denoise(noisy[0, 0])
    with pytest.raises(ValueError, match=r"volume: must not be empty, got shape \(2, 0, 64\)"):
        int8_model.denoise(np.zeros((2, 0, 64), np.float32))
    with pytest.raises(ValueError, match=r"volume: must not be empty, got shape \(0, 64, 64\)"):
        int8_model.denoise(np.zeros((0, 64, 64), np.float32))
    with pytest.raises(ValueError, match=r"window: expected finite \(low, high\) with high > low"):
        int8_model.denoise(noisy, window=(1.0, 1.0))
    with pytest.raises(ValueError, match=r"tile: expected >= 0"):
        int8_model.denoise(noisy, tile=-1)
    with pytest.raises(tomoedge.Error, match=r"tile"):
        int8_model.denoise(noisy, tile=30)  # not a multiple of the network's 8
    with pytest.raises(tomoedge.Error, match=r"unknown backend 'cuda'"):
        tomoedge.Model(INT8, backend="cuda")
    with pytest.raises(tomoedge.Error, match=r"unknown precision 'fp8'"):
        tomoedge.Model(INT8, precision="fp8")


def test_nan_input_is_refused_like_the_cli(noisy, int8_model, tmp_path):
    bad = noisy.copy()
    bad[2, 10, 20] = np.nan
    with pytest.raises(tomoedge.Error, match=r"1 non-finite pixel\(s\) \(NaN or Inf\), first at flat index 8852"):
        int8_model.denoise(bad)
    with h5py.File(tmp_path / "nan.h5", "w") as f:
        f["ns"] = bad
    cli = run_cli("denoise", INT8, f"{tmp_path}/nan.h5:ns", f"{tmp_path}/out.h5:dn", check=False)
    assert cli.returncode == 1 and "non-finite pixel" in cli.stderr


# ------------------------------------------------------------------------------------------ recon


def read_scan(path):
    with h5py.File(path, "r") as f:
        return (f["exchange/data"][()], f["exchange/data_white"][()], f["exchange/data_dark"][()],
                f["exchange/theta"][()])


@pytest.mark.parametrize("flags, kwargs", [((), {}), (("--filter", "hann", "--center", "30.5"),
                                                      {"filter": "hann", "centre": 30.5}),
                                           (("--convention", "centred"), {"convention": "centred"})])
def test_recon_equals_the_cli(sim, tmp_path, flags, kwargs):
    scan = sim / "projections" / "v001_lowdose.h5"
    run_cli("recon", scan, "-o", f"{tmp_path}/r.h5:recon", "--slab-rows", 3, *flags)
    expected = read(tmp_path / "r.h5", "recon")
    data, white, dark, theta = read_scan(scan)
    assert data.dtype == np.uint16  # counts are converted as the CLI's reader converts them
    got = tomoedge.recon(data, white, dark, theta, **kwargs)
    assert got.dtype == np.float32 and got.shape == (4, 64, 64)
    np.testing.assert_array_equal(got, expected)


def test_recon_of_a_simulated_scan_and_argument_errors():
    scan = tomoedge.simulate_scan(size=64, slices=2, phantom="shepp-logan", noise=False)
    assert scan["projections"].shape == (101, 2, 64) and scan["theta_deg"].shape == (101,)
    slices = tomoedge.recon(scan["projections"], scan["flats"], scan["darks"], scan["theta_deg"])
    truth = tomoedge.simulate_phantom(64, slices=2, supersample=2)
    assert slices.shape == truth.shape == (2, 64, 64)
    assert tomoedge.ssim(slices, truth, data_range=float(truth.max() - truth.min())) > 0.5
    # One flat/dark frame as a 2-D image is accepted.
    one = tomoedge.recon(scan["projections"], scan["flats"][0], scan["darks"][0], scan["theta_deg"], size=32)
    assert one.shape == (2, 32, 32)
    with pytest.raises(ValueError, match=r"theta_deg: has 3 angles but projections has 101"):
        tomoedge.recon(scan["projections"], scan["flats"], scan["darks"], np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"flats: frames of shape \(10, 2, 63\) do not match"):
        tomoedge.recon(scan["projections"], scan["flats"][:, :, :63], scan["darks"], scan["theta_deg"])
    with pytest.raises(tomoedge.Error, match=r"rotation centre 70 is outside"):
        tomoedge.recon(scan["projections"], scan["flats"], scan["darks"], scan["theta_deg"], centre=70)
    with pytest.raises(tomoedge.Error, match=r"unknown axis convention 'astra'"):
        tomoedge.recon(scan["projections"], scan["flats"], scan["darks"], scan["theta_deg"], convention="astra")
    with pytest.raises(tomoedge.Error, match=r"unknown filter|window"):
        tomoedge.recon(scan["projections"], scan["flats"], scan["darks"], scan["theta_deg"], filter="box")
    with pytest.raises(TypeError, match=r"projections: expected an integer or floating-point array"):
        tomoedge.recon(scan["projections"].astype(bool), scan["flats"], scan["darks"], scan["theta_deg"])


# ---------------------------------------------------------------------------------------- metrics


def test_ssim_and_psnr_equal_compare_json(sim, noisy, int8_model, tmp_path):
    restored = int8_model.denoise(noisy)
    gt = read(sim / "dataset.h5", "test_gt")
    with h5py.File(tmp_path / "dn.h5", "w") as f:
        f["dn"] = restored
    for extra, data_range in (((), None), (("--data-range", "0.05"), 0.05)):
        report = json.loads(run_cli("compare", f"{tmp_path}/dn.h5:dn", f"{sim}/dataset.h5:test_gt", "--json",
                                    *extra).stdout)
        ssims = tomoedge.ssim(restored, gt, data_range=data_range, per_slice=True)
        psnrs = tomoedge.psnr(restored, gt, data_range=data_range, per_slice=True)
        assert list(ssims) == [s["ssim"] for s in report["slices"]]
        assert list(psnrs) == [s["psnr"] for s in report["slices"]]
        assert tomoedge.ssim(restored, gt, data_range) == pytest.approx(report["mean"]["ssim"], rel=1e-15)
        assert tomoedge.psnr(restored, gt, data_range) == pytest.approx(report["mean"]["psnr"], rel=1e-15)
        assert tomoedge.ssim(restored[1], gt[1], data_range) == report["slices"][1]["ssim"]
    assert tomoedge.psnr(gt, gt) == float("inf")
    assert tomoedge.ssim(gt, gt) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"a has shape \(4, 64, 64\) but the reference b has shape \(3, 64, 64\)"):
        tomoedge.ssim(restored, gt[:3])
    with pytest.raises(TypeError, match=r"b: expected a float32 array"):
        tomoedge.psnr(restored, gt.astype(np.float64))
    with pytest.raises(tomoedge.Error, match=r"slice 0: .*constant"):
        tomoedge.psnr(restored, np.ones_like(gt))


# -------------------------------------------------------------------------------- memory and speed


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def test_repeated_small_calls_do_not_leak(noisy):
    # One thread: on a loaded 2-core machine OpenMP's barriers make tiny calls erratic (0.5-30 ms).
    model = tomoedge.Model(INT8, threads=1)
    image = np.ascontiguousarray(noisy[:3, :32, :32])
    scan = tomoedge.simulate_scan(size=32, slices=2, angles=16)
    for _ in range(50):  # warm-up: plans, arenas, allocator pools
        model.denoise(image)
        tomoedge.recon(scan["projections"], scan["flats"], scan["darks"], scan["theta_deg"])
    before = rss_mb()
    for i in range(1000):
        out = model.denoise(image)
        if i % 10 == 0:  # arrays that own a C++ tensor
            tomoedge.recon(scan["projections"], scan["flats"], scan["darks"], scan["theta_deg"])
        if i % 100 == 0:
            with pytest.raises(TypeError):
                model.denoise(image.astype(np.float64))
            with pytest.raises(tomoedge.Error):
                model.denoise(np.full_like(image, np.inf))
            tomoedge.ssim(out[0], image[0])
    growth = rss_mb() - before
    # Leaking one output per call (12 KB) would add 12 MB.
    assert growth < 8, f"RSS grew by {growth:.1f} MB over 1000 calls"


# ------------------------------------------------------------------------------------- quantize


@pytest.mark.slow
def test_quantize_in_memory_equals_the_cli(sim, noisy, tmp_path):
    run_cli("quantize", FP32, "--calib", f"{sim}/dataset.h5:test_ns", "--slices", 2, "-o", tmp_path / "cli.onnx",
            "--threads", 2)
    report = tomoedge.quantize(FP32, noisy, str(tmp_path / "py.onnx"), slices=2)
    assert report["calibration"] == "percentile 99.99" and report["corrected_biases"] > 0
    cli_model, py_model = tomoedge.Model(str(tmp_path / "cli.onnx")), tomoedge.Model(str(tmp_path / "py.onnx"))
    assert py_model.metadata["tomoedge.calibration.data"] == "numpy array (4, 64, 64)"
    differ = {k for k in cli_model.metadata if cli_model.metadata[k] != py_model.metadata.get(k)}
    assert differ == {"tomoedge.calibration.data"}
    np.testing.assert_array_equal(py_model.denoise(noisy), cli_model.denoise(noisy))
    with pytest.raises(tomoedge.Error, match=r"numpy array \(4, 64, 64\): has 4 slices, fewer than the 9"):
        tomoedge.quantize(FP32, noisy, str(tmp_path / "x.onnx"), slices=9)
    with pytest.raises(tomoedge.Error, match=r"already|quantized|QDQ"):
        tomoedge.quantize(INT8, noisy, str(tmp_path / "x.onnx"))
