// The Python module `tomoedge` (its compiled part, tomoedge._tomoedge): denoise, reconstruct,
// compare and quantize NumPy arrays with the library the CLI runs, with the CLI's results.
//
// Conventions:
//   - Images are float32 NumPy arrays, (N, H, W) volumes or (H, W) images. denoise, ssim, psnr and
//     quantize refuse other dtypes (TypeError: no silent float64 -> float32 rounding) and read a
//     C-contiguous array in place (any other float32 layout is copied once). recon converts any
//     integer or floating dtype to float32, as the CLI's readers convert detector counts (it copies
//     the projections into its own buffers in any case).
//   - The GIL is released while C++ works; one Model runs one call at a time (a lock).
//   - tomoedge::Error becomes tomoedge.Error (a RuntimeError) with the same message; a wrong
//     dtype is a TypeError, a wrong rank or shape a ValueError naming the argument.
#include "core/checks.hpp"
#include "core/error.hpp"
#include "core/tensor.hpp"
#include "core/threading.hpp"
#include "core/volume_view.hpp"
#include "core/projections.hpp"
#include "core/slice_stream.hpp"
#include "metrics/image_quality.hpp"
#include "model/graph.hpp"
#include "model/onnx_export.hpp"
#include "model/onnx_import.hpp"
#include "quant/quantize_model.hpp"
#include "recon/dose.hpp"
#include "recon/fbp.hpp"
#include "recon/geometry.hpp"
#include "recon/normalise.hpp"
#include "recon/phantom.hpp"
#include "recon/projector.hpp"
#include "runtime/backend.hpp"
#include "runtime/denoiser.hpp"
#include "tiling/tiled_runner.hpp"

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <numbers>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace tomoedge::python {
namespace {

std::string shape_text(const py::array& a) {
    std::string text = "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) text += (i ? ", " : "") + std::to_string(a.shape(i));
    return text + (a.ndim() == 1 ? ",)" : ")");
}

py::array as_array(const py::handle& object, const char* what) {
    if (!py::isinstance<py::array>(object))
        throw py::type_error(fmt::format("{}: expected a NumPy array, got {}", what,
                                         py::str(py::type::of(object).attr("__name__")).cast<std::string>()));
    return py::reinterpret_borrow<py::array>(object);
}

/// A float32 array of rank `min_rank`..`max_rank`, C-contiguous (copied only when it is not).
py::array float32_array(const py::handle& object, const char* what, int min_rank, int max_rank, const char* expected) {
    py::array a = as_array(object, what);
    if (!a.dtype().is(py::dtype::of<float>()))
        throw py::type_error(fmt::format("{}: expected a float32 array, got dtype {} (convert with .astype(numpy.float32))",
                                         what, py::str(a.dtype()).cast<std::string>()));
    if (a.ndim() < min_rank || a.ndim() > max_rank)
        throw py::value_error(fmt::format("{}: expected {}, got a {}-D array of shape {}", what, expected, a.ndim(), shape_text(a)));
    return py::array::ensure(a, py::array::c_style);
}

/// Any real (integer or floating) array of that rank, as a C-contiguous float32 array (converted).
py::array converted_float32(const py::handle& object, const char* what, int min_rank, int max_rank, const char* expected) {
    py::array a = as_array(object, what);
    const char kind = a.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u')
        throw py::type_error(fmt::format("{}: expected an integer or floating-point array, got dtype {}", what,
                                         py::str(a.dtype()).cast<std::string>()));
    if (a.ndim() < min_rank || a.ndim() > max_rank)
        throw py::value_error(fmt::format("{}: expected {}, got a {}-D array of shape {}", what, expected, a.ndim(), shape_text(a)));
    return py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
}

/// (N, H, W) view of a C-contiguous float32 array of rank 2 (one slice) or 3.
VolumeView view_of(const py::array& a) {
    const auto* data = static_cast<const float*>(a.data());
    if (a.ndim() == 2) return VolumeView(data, 1, a.shape(0), a.shape(1));
    return VolumeView(data, a.shape(0), a.shape(1), a.shape(2));
}

/// Moves a tensor into a NumPy array that owns it (no copy).
py::array to_numpy(Tensor<float>&& tensor) {
    auto* owner = new Tensor<float>(std::move(tensor));
    py::capsule free_owner(owner, [](void* p) { delete static_cast<Tensor<float>*>(p); });
    std::vector<py::ssize_t> shape(owner->shape().dims().begin(), owner->shape().dims().end());
    return py::array_t<float>(shape, owner->data(), free_owner);
}

Tensor<float> to_tensor(const py::array& a) {
    std::vector<std::int64_t> dims(a.shape(), a.shape() + a.ndim());
    Tensor<float> t{Shape(std::move(dims))};
    if (t.size() > 0) std::memcpy(t.data(), a.data(), sizeof(float) * static_cast<std::size_t>(t.size()));
    return t;
}

constexpr const char* volume_expected = "a 3-D (N, H, W) volume or a 2-D (H, W) image";

// ---------------------------------------------------------------------------------------- Model

class Model {
public:
    Model(const std::string& path, const std::string& backend, const std::optional<std::string>& precision, int threads)
        : path_(path) {
        if (threads < 0) throw py::value_error(fmt::format("threads: expected >= 0 (0 = all cores), got {}", threads));
        options_.backend = backend == "auto" ? "onednn" : backend;  // the CLI's default backend
        options_.precision = precision ? runtime::parse_precision(*precision) : runtime::Precision::fp32;
        options_.threads = threads;
        py::gil_scoped_release release;
        set_num_threads(threads);  // as `tomoedge denoise --threads`: process-wide
        graph_ = model::import_onnx(path);
        denoiser_ = std::make_unique<runtime::Denoiser>(graph_, options_);
    }

    py::array denoise(const py::handle& volume, std::int64_t tile, std::optional<std::int64_t> halo, int workers,
                      std::int64_t batch, const std::optional<std::pair<double, double>>& window) {
        const py::array in = float32_array(volume, "volume", 2, 3, volume_expected);
        const VolumeView view = view_of(in);
        if (view.slices == 0 || view.height == 0 || view.width == 0)
            throw py::value_error(fmt::format("volume: must not be empty, got shape {}", shape_text(in)));
        if (window && !(std::isfinite(window->first) && std::isfinite(window->second) && window->second > window->first))
            throw py::value_error(fmt::format("window: expected finite (low, high) with high > low, got ({}, {})",
                                              window->first, window->second));
        if (tile < 0) throw py::value_error(fmt::format("tile: expected >= 0 (0 = whole image), got {}", tile));
        if (halo && *halo < 0) throw py::value_error(fmt::format("halo: expected >= 0, got {}", *halo));
        if (workers < 0) throw py::value_error(fmt::format("workers: expected >= 0 (0 = one per thread), got {}", workers));
        if (batch < 1) throw py::value_error(fmt::format("batch: expected >= 1, got {}", batch));
        std::vector<py::ssize_t> shape(in.shape(), in.shape() + in.ndim());
        py::array_t<float> out(shape);
        float* result = out.mutable_data();
        {
            py::gil_scoped_release release;
            std::lock_guard lock(mutex_);
            use_tiles(tile, halo, workers, batch);
            denoiser_->denoise(view, window ? runtime::ValueWindow{window->first, window->second} : denoiser_->window_for(view),
                               result);
        }
        return out;
    }

    std::pair<double, double> window(const py::handle& volume) {
        const py::array in = float32_array(volume, "volume", 2, 3, volume_expected);
        const VolumeView view = view_of(in);
        if (view.size() == 0) throw py::value_error(fmt::format("volume: must not be empty, got shape {}", shape_text(in)));
        py::gil_scoped_release release;
        require_finite(view.span(), "volume");
        const runtime::ValueWindow w = denoiser_->window_for(view);
        return {w.low, w.high};
    }

    py::dict metadata() const {
        py::dict d;
        for (const auto& [key, value] : graph_.metadata) d[py::str(key)] = value;
        return d;
    }
    int input_depth() const { return denoiser_->input_depth(); }
    std::string backend() const { return denoiser_->backend().name(); }
    std::string precision() const {
        return std::string(runtime::precision_name(runtime::resolved_precision(graph_, options_)));
    }
    const std::string& path() const { return path_; }
    std::string repr() const {
        return fmt::format("tomoedge.Model('{}', backend='{}', precision='{}', input_depth={})", path_, backend(),
                           precision(), input_depth());
    }

private:
    // Switches the denoiser's runner when the tile options change (the CLI's --tile/--halo/--workers/--batch).
    void use_tiles(std::int64_t tile, std::optional<std::int64_t> halo, int workers, std::int64_t batch) {
        tiling::TileOptions t;
        t.tile = tile;
        t.halo = halo;
        t.workers = workers;
        t.batch = batch;
        if (tiles_ && tiles_->tile == t.tile && tiles_->halo == t.halo && tiles_->workers == t.workers &&
            tiles_->batch == t.batch)
            return;
        const auto tiled = tiling::tiled_runner_factory(graph_, t, options_);
        if (tiled) denoiser_->set_runner(tiled);
        else
            denoiser_->set_runner([](runtime::Backend& b, std::array<std::int64_t, 2> multiple) {
                return std::make_unique<runtime::WholeImageRunner>(b, multiple);
            });
        tiles_ = t;
    }

    std::string path_;
    runtime::BackendOptions options_;
    model::Graph graph_;
    std::unique_ptr<runtime::Denoiser> denoiser_;
    std::optional<tiling::TileOptions> tiles_;  // unset: the whole-image runner the denoiser starts with
    std::mutex mutex_;
};

// -------------------------------------------------------------------------------- reconstruction

py::array recon(const py::handle& projections, const py::handle& flats, const py::handle& darks,
                const py::handle& theta_deg, std::optional<double> centre, const std::string& filter,
                std::optional<std::int64_t> size, const std::string& convention_name, bool circle) {
    const recon::AxisConvention convention = recon::parse_axis_convention(convention_name);
    const py::array data = converted_float32(projections, "projections", 3, 3, "a 3-D (angles, rows, cols) array");
    const py::array white = converted_float32(flats, "flats", 2, 3, "a 3-D (frames, rows, cols) or 2-D (rows, cols) array");
    const py::array dark = converted_float32(darks, "darks", 2, 3, "a 3-D (frames, rows, cols) or 2-D (rows, cols) array");
    const py::array theta = converted_float32(theta_deg, "theta_deg", 1, 1, "a 1-D array of angles in degrees");
    const std::int64_t angles = data.shape(0), rows = data.shape(1), cols = data.shape(2);
    for (const auto& [a, what] : {std::pair{&white, "flats"}, std::pair{&dark, "darks"}})
        if (a->shape(a->ndim() - 2) != rows || a->shape(a->ndim() - 1) != cols)
            throw py::value_error(fmt::format("{}: frames of shape {} do not match the projections' (rows, cols) = ({}, {})",
                                              what, shape_text(*a), rows, cols));
    if (theta.shape(0) != angles)
        throw py::value_error(fmt::format("theta_deg: has {} angles but projections has {}", theta.shape(0), angles));
    if (angles < 1 || rows < 1 || cols < 1)
        throw py::value_error(fmt::format("projections: must not be empty, got shape {}", shape_text(data)));
    if (size && *size < 1) throw py::value_error(fmt::format("size: expected >= 1, got {}", *size));
    const recon::FilterWindow window = recon::parse_filter_window(filter);

    Projections scan;
    scan.data = to_tensor(data);
    scan.white = to_tensor(white);
    scan.dark = to_tensor(dark);
    if (white.ndim() == 2) scan.white.reshape(Shape{1, rows, cols});
    if (dark.ndim() == 2) scan.dark.reshape(Shape{1, rows, cols});
    const auto* t = static_cast<const float*>(theta.data());
    scan.theta_deg.assign(t, t + angles);

    Tensor<float> slices;
    {
        py::gil_scoped_release release;
        // What the Data Exchange reader checks, then what `tomoedge recon` does with each slab.
        require_finite(scan.data.span(), "projections");
        require_finite(scan.white.span(), "flats");
        require_finite(scan.dark.span(), "darks");
        require_finite(scan.theta_deg, "theta_deg");
        const double c = centre.value_or(recon::default_centre(cols, convention));
        if (!(c >= 0 && c <= static_cast<double>(cols - 1)))
            fail("rotation centre {} is outside the detector columns 0..{}", c, cols - 1);
        recon::NormaliseStats stats;
        const Tensor<float> sinograms = recon::normalise(scan, stats, recon::NormaliseOptions{0.5f, "projections"});
        recon::Fbp fbp(scan.theta_deg, cols, recon::FbpOptions{window, c, size.value_or(cols), convention, circle});
        slices = fbp.reconstruct(sinograms);
    }
    return to_numpy(std::move(slices));
}

// --------------------------------------------------------------------------------------- metrics

// SSIM or PSNR of `a` against the reference `b`: one value for an image; for a volume, the mean of
// the slices' values (or each slice's), every slice with its own range unless one is given:
// `tomoedge compare`'s conventions.
py::object quality(const py::handle& a_object, const py::handle& b_object, std::optional<double> data_range,
                   bool per_slice, bool want_ssim) {
    const py::array a = float32_array(a_object, "a", 2, 3, volume_expected);
    const py::array b = float32_array(b_object, "b", 2, 3, volume_expected);
    if (a.ndim() != b.ndim() || !std::equal(a.shape(), a.shape() + a.ndim(), b.shape()))
        throw py::value_error(fmt::format("a has shape {} but the reference b has shape {}", shape_text(a), shape_text(b)));
    if (data_range && !(*data_range > 0 && std::isfinite(*data_range)))
        throw py::value_error(fmt::format("data_range: expected a positive finite number, got {}", *data_range));
    const VolumeView va = view_of(a), vb = view_of(b);
    std::vector<double> values(static_cast<std::size_t>(va.slices));
    {
        py::gil_scoped_release release;
        const auto n = static_cast<std::size_t>(va.slice_size());
        for (std::int64_t i = 0; i < va.slices; ++i) {
            const std::span<const float> x(va.slice(i), n), y(vb.slice(i), n);
            try {
                values[static_cast<std::size_t>(i)] =
                    want_ssim ? metrics::ssim(x, y, va.height, va.width, data_range) : metrics::psnr(x, y, data_range);
            } catch (const Error& e) {
                if (a.ndim() == 2) throw;
                fail("slice {}: {}", i, e.what());
            }
        }
    }
    if (per_slice) return py::array_t<double>(static_cast<py::ssize_t>(values.size()), values.data());
    double mean = 0;
    for (double v : values) mean += v;
    return py::float_(values.empty() ? std::nan("") : mean / static_cast<double>(values.size()));
}

// ------------------------------------------------------------------------------------ simulation

recon::Phantom make_phantom(const std::string& name, std::uint64_t seed) {
    // The whole height of the field of view, as the bindings always drew foams.
    return recon::make_phantom(name, recon::RandomSlabOptions{seed, -1, 1});
}

py::array simulate_phantom(std::int64_t size, std::int64_t slices, const std::string& phantom, std::uint64_t seed,
                           int supersample) {
    if (size < 16 || size > 8192) throw py::value_error(fmt::format("size: expected 16..8192, got {}", size));
    if (slices < 1) throw py::value_error(fmt::format("slices: expected >= 1, got {}", slices));
    if (supersample < 1) throw py::value_error(fmt::format("supersample: expected >= 1, got {}", supersample));
    Tensor<float> volume(Shape{slices, size, size});
    {
        py::gil_scoped_release release;
        const recon::Phantom p = make_phantom(phantom, seed);
        for (std::int64_t s = 0; s < slices; ++s) {
            const Tensor<float> image =
                recon::rasterise(recon::slice_phantom(p, recon::slice_z(s, slices, size), size), size, supersample);
            std::copy(image.begin(), image.end(), volume.outer(s));
        }
    }
    return to_numpy(std::move(volume));
}

py::dict simulate_scan(std::int64_t size, std::int64_t slices, std::int64_t angles, const std::string& phantom,
                       double i0, double dark, std::uint64_t seed, bool noise) {
    if (size < 16 || size > 8192) throw py::value_error(fmt::format("size: expected 16..8192, got {}", size));
    if (slices < 1) throw py::value_error(fmt::format("slices: expected >= 1, got {}", slices));
    if (angles < 0) throw py::value_error(fmt::format("angles: expected >= 1 (0 = pi/2 x size), got {}", angles));
    if (!(i0 > 0)) throw py::value_error(fmt::format("i0: expected > 0, got {}", i0));
    if (!(dark >= 0)) throw py::value_error(fmt::format("dark: expected >= 0, got {}", dark));
    const std::int64_t count = angles > 0 ? angles : static_cast<std::int64_t>(std::ceil(std::numbers::pi / 2 * static_cast<double>(size)));
    Projections scan;
    {
        py::gil_scoped_release release;
        const recon::Phantom p = make_phantom(phantom, seed);
        std::vector<float> theta = recon::angles_deg(count);
        const std::vector<float> theta_rad = recon::to_radians(theta);
        // Line integrals (angles, rows, cols), the axis on the middle of the detector.
        Tensor<float> integrals(Shape{count, slices, size});
        for (std::int64_t s = 0; s < slices; ++s)
            recon::project(recon::slice_phantom(p, recon::slice_z(s, slices, size), size), theta_rad, size,
                           recon::default_centre(size), integrals.data() + s * size, slices * size);
        recon::DoseOptions dose;
        dose.i0 = i0;
        dose.dark = dark;
        dose.noise = noise;
        dose.seed = seed;
        scan = recon::expose(integrals, std::move(theta), dose);
    }
    py::dict d;
    d["theta_deg"] = py::array_t<float>(static_cast<py::ssize_t>(scan.theta_deg.size()), scan.theta_deg.data());
    d["projections"] = to_numpy(std::move(scan.data));
    d["flats"] = to_numpy(std::move(scan.white));
    d["darks"] = to_numpy(std::move(scan.dark));
    return d;
}

// ---------------------------------------------------------------------------------- quantization

py::dict quantize(const std::string& model_path, const py::handle& calibration, const std::string& output_path,
                  const std::string& method, double percentile, int slices, const std::string& activations,
                  bool clip_output, bool equalize, bool bias_correction) {
    const py::array in = float32_array(calibration, "calibration_volume", 2, 3, volume_expected);
    const VolumeView view = view_of(in);
    quant::QuantizeOptions o;
    o.calibration.method = quant::parse_method(method);
    o.calibration.percentile = percentile;
    o.activations = quant::parse_act_type(activations);
    o.slices = slices;
    o.clip_output = clip_output;
    o.equalize = equalize;
    o.correct_bias = bias_correction;
    const std::string name = fmt::format("numpy array {}", shape_text(in));
    quant::QuantizeReport report;
    {
        py::gil_scoped_release release;
        const model::Graph fp32 = model::import_onnx(model_path);
        VolumeSource source(view, name);
        model::export_onnx(quant::quantize_model(fp32, source, o, &report), output_path);
    }
    py::dict d;
    d["output"] = output_path;
    d["calibration"] = quant::describe_method(o.calibration);
    d["slices"] = slices;
    d["groups"] = report.groups;
    d["equalized_pairs"] = report.equalized_pairs;
    d["corrected_biases"] = report.corrected_biases;
    d["seconds"] = report.seconds;
    return d;
}

}  // namespace
}  // namespace tomoedge::python

PYBIND11_MODULE(_tomoedge, m) {
    using namespace tomoedge::python;
    namespace runtime = tomoedge::runtime;
    m.doc() = "tomoedge: restore low-dose X-ray tomography slices (TomoGAN fp32/bf16/int8), FBP, SSIM/PSNR.";
    py::register_exception<tomoedge::Error>(m, "Error", PyExc_RuntimeError);

    py::class_<Model>(m, "Model",
                      "An ONNX denoising model (TomoGAN or any image-to-image network the runtime reads), ready to run.")
        .def(py::init<const std::string&, const std::string&, const std::optional<std::string>&, int>(), py::arg("path"),
             py::arg("backend") = "auto", py::arg("precision") = py::none(), py::arg("threads") = 0,
             "Loads the model. backend: 'auto' (= 'onednn', the CLI's default), 'onednn' or 'reference'; "
             "precision: None (fp32, or int8 for a quantized QDQ model), 'fp32', 'bf16' or 'int8'; threads: "
             "process-wide thread count as `tomoedge denoise --threads` (0 = all cores).")
        .def("denoise", &Model::denoise, py::arg("volume"), py::arg("tile") = 0, py::arg("halo") = py::none(),
             py::arg("workers") = 0, py::arg("batch") = 1, py::arg("window") = py::none(),
             "Restores a float32 (N, H, W) volume (adjacent slices feed each output slice) or (H, W) image; "
             "returns float32 of the same shape, equal to `tomoedge denoise` on the same data. tile/halo/workers/"
             "batch as the CLI's --tile/--halo/--workers/--batch (tile 0 = whole image). window: the (low, high) "
             "values mapped to [0, 1] (default: window(volume), as the CLI; pass one to keep the chunks of a big "
             "volume on one scale).")
        .def("window", &Model::window, py::arg("volume"),
             "The (low, high) value window denoise() maps to [0, 1] for this volume (the model's percentiles over "
             "a subsample; (0, 1) for a model without normalisation).")
        .def_property_readonly("metadata", &Model::metadata, "The model's ONNX metadata_props as a dict.")
        .def_property_readonly("input_depth", &Model::input_depth, "Adjacent slices per output slice.")
        .def_property_readonly("backend", &Model::backend, "The backend that runs it ('onednn' or 'reference').")
        .def_property_readonly("precision", &Model::precision, "fp32, bf16 or int8, as it runs.")
        .def_property_readonly("path", &Model::path)
        .def("__repr__", &Model::repr);

    m.def("recon", &recon, py::arg("projections"), py::arg("flats"), py::arg("darks"), py::arg("theta_deg"),
          py::arg("centre") = py::none(), py::arg("filter") = "shepp-logan", py::arg("size") = py::none(),
          py::arg("convention") = "tomopy", py::arg("circle") = false,
          "Filtered back-projection of a parallel-beam scan as `tomoedge recon`: projections (angles, rows, cols) "
          "of raw counts, flats and darks (frames, rows, cols), theta_deg (angles,). Flat/dark normalisation, -log, "
          "FBP with the given window (ram-lak, shepp-logan, cosine, hamming, hann). centre: detector column of the "
          "rotation axis (default cols // 2, or (cols - 1) / 2 with convention='centred'); size: image size (default "
          "cols); convention: where the axis is in the image, 'tomopy' (pixel size // 2, as TomoPy's gridrec and "
          "scikit-image) or 'centred' ((size - 1) / 2, as ASTRA). Row 0 is at the top, as in TomoPy. Returns float32 "
          "(rows, size, size). circle: zero the pixels outside the field of view, as iradon(circle=True).");
    m.def(
        "ssim",
        [](const py::handle& a, const py::handle& b, std::optional<double> data_range, bool per_slice) {
            return quality(a, b, data_range, per_slice, true);
        },
        py::arg("a"), py::arg("b"), py::arg("data_range") = py::none(), py::arg("per_slice") = false,
        "SSIM of a against the reference b (Wang et al. 2004, 11x11 Gaussian window, sigma 1.5; equals "
        "skimage's structural_similarity(gaussian_weights=True, use_sample_covariance=False)). data_range: default "
        "max - min of each reference slice, as `tomoedge compare`. A volume gives the mean over slices "
        "(per_slice=True: an array of each slice's).");
    m.def(
        "psnr",
        [](const py::handle& a, const py::handle& b, std::optional<double> data_range, bool per_slice) {
            return quality(a, b, data_range, per_slice, false);
        },
        py::arg("a"), py::arg("b"), py::arg("data_range") = py::none(), py::arg("per_slice") = false,
        "PSNR in dB of a against the reference b (inf for identical images); conventions as ssim().");
    m.def("simulate_phantom", &simulate_phantom, py::arg("size") = 256, py::arg("slices") = 1,
          py::arg("phantom") = "shepp-logan", py::arg("seed") = 0, py::arg("supersample") = 2,
          "Slices through a 3-D phantom ('shepp-logan' or 'foam'), adjacent slices one pixel apart, centred on "
          "z = 0: float32 (slices, size, size), attenuation per pixel.");
    m.def("simulate_scan", &simulate_scan, py::arg("size") = 128, py::arg("slices") = 4, py::arg("angles") = 0,
          py::arg("phantom") = "shepp-logan", py::arg("i0") = 1000.0, py::arg("dark") = 50.0, py::arg("seed") = 0,
          py::arg("noise") = true,
          "A parallel-beam scan of simulate_phantom(size, slices, phantom, seed): exact line integrals over "
          "`angles` angles in [0, 180) (0 = pi/2 x size), detector counts with Poisson noise at i0 photons "
          "per pixel and a dark level (noise=False: the expected counts). Returns a dict with projections, "
          "flats, darks (float32 counts) and theta_deg, ready for recon().");
    m.def("quantize", &quantize, py::arg("model_path"), py::arg("calibration_volume"), py::arg("output_path"),
          py::arg("method") = "percentile", py::arg("percentile") = 99.99, py::arg("slices") = 8,
          py::arg("activations") = "u8", py::arg("clip_output") = false, py::arg("equalize") = true,
          py::arg("bias_correction") = true,
          "Post-training int8 quantization as `tomoedge quantize`, calibrated on a float32 (N, H, W) volume in "
          "memory (`slices` slices of it, evenly spread). Writes the QDQ ONNX model to output_path; returns a "
          "summary dict.");
    m.def("available_backends", &runtime::available_backends, "Backend names this build has.");
}
