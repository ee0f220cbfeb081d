#include "train/checkpoint.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <cstring>

namespace tomoedge::train {

namespace {

constexpr const char* format_tag = "tomoedge-train-checkpoint-1";

torch::serialize::InputArchive sub(torch::serialize::InputArchive& archive, const std::string& key,
                                   const std::filesystem::path& file) {
    torch::serialize::InputArchive part;
    if (!archive.try_read(key, part)) fail("{}: checkpoint has no '{}'", file.string(), key);
    return part;
}

torch::serialize::InputArchive open(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) fail("{}: no such checkpoint", file.string());
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(file.string());
    } catch (const c10::Error& e) {
        fail("{}: not a readable libtorch checkpoint ({})", file.string(), e.what_without_backtrace());
    }
    c10::IValue tag;
    if (!archive.try_read("format", tag) || !tag.isString() || tag.toStringRef() != format_tag)
        fail("{}: not a tomoedge training checkpoint", file.string());
    return archive;
}

CheckpointState read_state(torch::serialize::InputArchive& archive, const std::filesystem::path& file) {
    CheckpointState s;
    c10::IValue iteration, seed, wall, recipe;
    if (!archive.try_read("iteration", iteration) || !archive.try_read("seed", seed) ||
        !archive.try_read("wall_seconds", wall) || !archive.try_read("recipe", recipe) || !iteration.isInt() ||
        !seed.isInt() || !wall.isDouble() || !recipe.isString())
        fail("{}: checkpoint state is incomplete", file.string());
    s.iteration = iteration.toInt();
    const std::int64_t seed_bits = seed.toInt();
    std::memcpy(&s.seed, &seed_bits, sizeof s.seed);  // stored as the int64 with the same bits
    s.wall_seconds = wall.toDouble();
    s.recipe = recipe.toStringRef();
    return s;
}

}  // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& dir, std::int64_t iteration) {
    return dir / fmt::format("ckpt-{:09d}.pt", iteration);
}

void save_checkpoint(const std::filesystem::path& file, GeneratorImpl& generator, DiscriminatorImpl* discriminator,
                     torch::optim::Optimizer& gen_optimizer, torch::optim::Optimizer* disc_optimizer,
                     const CheckpointState& state) {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(format_tag)));
    std::int64_t seed_bits = 0;
    std::memcpy(&seed_bits, &state.seed, sizeof seed_bits);
    archive.write("iteration", c10::IValue(state.iteration));
    archive.write("seed", c10::IValue(seed_bits));
    archive.write("wall_seconds", c10::IValue(state.wall_seconds));
    archive.write("recipe", c10::IValue(state.recipe));
    auto put = [&](const char* key, auto&& saver) {
        torch::serialize::OutputArchive part;
        saver(part);
        archive.write(key, part);
    };
    put("generator", [&](auto& a) { generator.save(a); });
    put("gen_optimizer", [&](auto& a) { gen_optimizer.save(a); });
    if (discriminator) put("discriminator", [&](auto& a) { discriminator->save(a); });
    if (disc_optimizer) put("disc_optimizer", [&](auto& a) { disc_optimizer->save(a); });

    AtomicFile out(file);
    try {
        archive.save_to(out.temp_path().string());
    } catch (const c10::Error& e) {
        fail("{}: cannot write checkpoint ({})", file.string(), e.what_without_backtrace());
    }
    out.commit();
}

CheckpointState read_checkpoint_state(const std::filesystem::path& file) {
    auto archive = open(file);
    return read_state(archive, file);
}

CheckpointState load_checkpoint(const std::filesystem::path& file, GeneratorImpl& generator,
                                DiscriminatorImpl* discriminator, torch::optim::Optimizer& gen_optimizer,
                                torch::optim::Optimizer* disc_optimizer) {
    auto archive = open(file);
    CheckpointState state = read_state(archive, file);
    try {
        auto g = sub(archive, "generator", file);
        generator.load(g);
        auto go = sub(archive, "gen_optimizer", file);
        gen_optimizer.load(go);
        if (discriminator) {
            auto d = sub(archive, "discriminator", file);
            discriminator->load(d);
        }
        if (disc_optimizer) {
            auto d = sub(archive, "disc_optimizer", file);
            disc_optimizer->load(d);
        }
    } catch (const c10::Error& e) {
        fail("{}: checkpoint does not fit these networks ({})", file.string(), e.what_without_backtrace());
    }
    return state;
}

}  // namespace tomoedge::train
