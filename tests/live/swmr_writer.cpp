// Test helper: writes the live fixture's scan (live_fixture.hpp) as an acquisition would, in HDF5
// SWMR mode: darks, flats and the full theta first, then /exchange/data grown one projection at
// a time with a pause, flushed after each so a reader sees it.
//   live_swmr_writer FILE.h5 ANGLES ROWS COLS PAUSE_MS
#include "live_fixture.hpp"

#include <hdf5.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

// Rounded to the nearest count, as io::write_projections stores u16 (so the batch reference of the
// same scan reads the same numbers).
std::vector<unsigned short> counts(const float* begin, const float* end) {
    std::vector<unsigned short> v;
    for (const float* p = begin; p != end; ++p) v.push_back(static_cast<unsigned short>(std::lround(*p)));
    return v;
}

hid_t write_fixed(hid_t file, const char* name, const tomoedge::Tensor<float>& t) {
    const hsize_t dims[3] = {static_cast<hsize_t>(t.dim(0)), static_cast<hsize_t>(t.dim(1)), static_cast<hsize_t>(t.dim(2))};
    const hid_t space = H5Screate_simple(3, dims, nullptr);
    const hid_t d = H5Dcreate2(file, name, H5T_NATIVE_UINT16, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const std::vector<unsigned short> v = counts(t.begin(), t.end());
    H5Dwrite(d, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(space);
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: live_swmr_writer FILE.h5 ANGLES ROWS COLS PAUSE_MS\n");
        return 2;
    }
    tomoedge::testing::ScanSpec spec;
    spec.angles = std::atoll(argv[2]), spec.rows = std::atoll(argv[3]), spec.cols = std::atoll(argv[4]);
    const int pause_ms = std::atoi(argv[5]);
    const tomoedge::Projections scan = tomoedge::testing::make_scan(spec);

    // SWMR needs the latest file format; every object exists before SWMR writing starts.
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    const hid_t file = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    const hid_t group = H5Gcreate2(file, "/exchange", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t dark = write_fixed(file, "/exchange/data_dark", scan.dark);
    const hid_t white = write_fixed(file, "/exchange/data_white", scan.white);
    const hsize_t n_theta = scan.theta_deg.size();
    const hid_t theta_space = H5Screate_simple(1, &n_theta, nullptr);
    const hid_t theta = H5Dcreate2(file, "/exchange/theta", H5T_NATIVE_FLOAT, theta_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(theta, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, scan.theta_deg.data());
    const hsize_t rows = static_cast<hsize_t>(spec.rows), cols = static_cast<hsize_t>(spec.cols);
    const hsize_t dims[3] = {0, rows, cols}, max[3] = {H5S_UNLIMITED, rows, cols}, chunk[3] = {1, rows, cols};
    const hid_t space = H5Screate_simple(3, dims, max);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 3, chunk);
    const hid_t data = H5Dcreate2(file, "/exchange/data", H5T_NATIVE_UINT16, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (data < 0 || H5Fstart_swmr_write(file) < 0) {
        std::fprintf(stderr, "live_swmr_writer: cannot start SWMR writing\n");
        return 1;
    }
    for (hsize_t a = 0; a < static_cast<hsize_t>(spec.angles); ++a) {
        const hsize_t size[3] = {a + 1, rows, cols};
        H5Dset_extent(data, size);
        const hid_t fs = H5Dget_space(data);
        const hsize_t start[3] = {a, 0, 0};
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, chunk, nullptr);
        const hid_t ms = H5Screate_simple(3, chunk, nullptr);
        const float* frame = scan.data.outer(static_cast<std::int64_t>(a));
        const std::vector<unsigned short> v = counts(frame, frame + rows * cols);
        H5Dwrite(data, H5T_NATIVE_UINT16, ms, fs, H5P_DEFAULT, v.data());
        H5Dflush(data);
        H5Sclose(ms);
        H5Sclose(fs);
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    }
    H5Dclose(data), H5Dclose(theta), H5Dclose(white), H5Dclose(dark);
    H5Sclose(space), H5Sclose(theta_space), H5Pclose(dcpl), H5Pclose(fapl), H5Gclose(group);
    H5Fclose(file);
    return 0;
}
