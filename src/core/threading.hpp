#pragma once
// Thread count for our own loops (OpenMP) and for oneDNN, which shares the OpenMP runtime.
namespace tomoedge {

/// Sets the number of worker threads; n <= 0 means all hardware threads.
void set_num_threads(int n);
int num_threads();

}  // namespace tomoedge
