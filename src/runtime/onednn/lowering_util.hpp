#pragma once
// Small helpers shared by the fp32/bf16 and int8 lowerings.
#include "core/shape.hpp"

#include <oneapi/dnnl/dnnl.hpp>

namespace tomoedge::runtime::onednn {

using dnnl::memory;
using Dims = memory::dims;
using Tag = memory::format_tag;
using DT = memory::data_type;

inline Dims to_dims(const Shape& s) { return Dims(s.dims().begin(), s.dims().end()); }

inline memory::desc plain_f32(const Shape& s) { return memory::desc(to_dims(s), DT::f32, Tag::nchw); }

/// Attributes every primitive of a plan gets: the plan's shared scratchpad, and `ops` if given.
inline dnnl::primitive_attr make_attr(const dnnl::post_ops* ops = nullptr) {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (ops) attr.set_post_ops(*ops);
    return attr;
}

}  // namespace tomoedge::runtime::onednn
