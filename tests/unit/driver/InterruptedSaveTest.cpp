//===- InterruptedSaveTest.cpp - Saves killed midway, and their leftovers -===//
//
// A save killed with SIGKILL cannot clean up after itself: it leaves its
// temporary file (PATH.tmp.PID) beside the checkpoint. These tests kill
// writers at random points and check that the checkpoint is always a whole
// one, old or new, and that the next save removes the temporaries of dead
// writers, never those of live ones.
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/ArtifactCache.h"
#include "runtime/driver/Checkpoint.h"

#include "tests/unit/driver/TestFiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <random>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace mpc::driver;
using namespace mpc::driver::test;

namespace {

/// A pid that no process has: a child's, once it has exited and been
/// reaped. (The kernel hands pids out in increasing order, so it is not
/// reused within a test.)
pid_t deadPid() {
  pid_t child = fork();
  if (child == 0)
    _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

/// A child that sleeps until it is killed: a live writer.
pid_t livePid() {
  pid_t child = fork();
  if (child == 0) {
    for (;;)
      pause();
  }
  return child;
}

void killAndReap(pid_t child) {
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
}

/// A checkpoint of one tensor of `count` copies of `value`, so that a save
/// takes a while and two saves differ in every byte of data.
Checkpoint filledCheckpoint(float value, int64_t count) {
  Checkpoint checkpoint;
  HostTensor tensor;
  tensor.name = "w";
  tensor.shape = {count};
  tensor.f32.assign(static_cast<size_t>(count), value);
  checkpoint.tensors.push_back(std::move(tensor));
  checkpoint.metadata = {{"value", std::to_string(value)}};
  return checkpoint;
}

TEST(InterruptedSave, TheNextSaveRemovesTemporariesOfDeadWritersOnly) {
  ScratchDir dir;
  std::string path = dir.path("c.safetensors");
  pid_t dead = deadPid(), otherDead = deadPid(), live = livePid();
  auto temporaryOf = [&](pid_t pid) {
    return path + ".tmp." + std::to_string(pid);
  };
  writeFile(temporaryOf(dead), "half a checkpoint");
  writeFile(temporaryOf(live), "a checkpoint being written");
  writeFile(temporaryPath(path), "this process's, from an earlier save");
  // A writer of a directory (an artifact) that died.
  ASSERT_EQ(mkdir(temporaryOf(otherDead).c_str(), 0755), 0);
  writeFile(temporaryOf(otherDead) + "/step.cu", "half");
  // Names that are not temporaries of this checkpoint.
  std::vector<std::string> unrelated = {
      "c.safetensors.tmp.x1", "c.safetensors.tmp.0" + std::to_string(dead),
      "c.safetensors.tmp." + std::to_string(dead) + ".bak",
      "d.safetensors.tmp." + std::to_string(dead), "c.safetensors.tmp."};
  for (const std::string &name : unrelated)
    writeFile(dir.path(name), "keep");

  std::string error;
  bool saved = writeCheckpoint(path, filledCheckpoint(1, 4), error);
  std::vector<std::string> after = dir.list();
  killAndReap(live);
  ASSERT_TRUE(saved) << error;
  std::vector<std::string> expected = unrelated;
  expected.push_back("c.safetensors");
  expected.push_back("c.safetensors.tmp." + std::to_string(live));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(after, expected);
}

TEST(InterruptedSave, PublishingRemovesTemporariesOfDeadWritersOnly) {
  // The artifact cache's entries go through the same cleanup.
  ScratchDir dir;
  std::string path = dir.path("step.so");
  pid_t dead = deadPid(), live = livePid();
  writeFile(path + ".tmp." + std::to_string(dead), "half a library");
  writeFile(path + ".tmp." + std::to_string(live), "a library being built");
  std::string error;
  bool published = publishAtomically(
      path,
      [](const std::string &temporary, std::string &) {
        writeFile(temporary, "library");
        return true;
      },
      error);
  std::vector<std::string> after = dir.list();
  killAndReap(live);
  ASSERT_TRUE(published) << error;
  EXPECT_EQ(after, (std::vector<std::string>{
                       "step.so", "step.so.tmp." + std::to_string(live)}));
}

TEST(InterruptedSave, AKilledSaveLeavesTheOldOrTheNewCheckpointWhole) {
  // A child saves two checkpoints in turn, over and over; it is killed at
  // a random moment. The file is then one of the two, byte for byte, and
  // the next save leaves nothing else beside it.
  ScratchDir dir;
  std::string path = dir.path("c.safetensors");
  constexpr int64_t kValues = 1 << 20; // 4 MiB of data per save.
  const Checkpoint saves[2] = {filledCheckpoint(1, kValues),
                               filledCheckpoint(2, kValues)};
  std::string error;
  std::string bytes[2];
  for (int i = 0; i < 2; ++i) {
    std::optional<std::string> serialized =
        serializeCheckpoint(saves[i], path, error);
    ASSERT_TRUE(serialized) << error;
    bytes[i] = *serialized;
  }
  ASSERT_TRUE(writeCheckpoint(path, saves[0], error)) << error;

  unsigned seed = std::random_device()();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delayMicroseconds(0, 30000);
  constexpr int kRounds = 40;
  int interrupted = 0;
  for (int round = 0; round < kRounds; ++round) {
    pid_t writer = fork();
    ASSERT_GE(writer, 0);
    if (writer == 0) {
      for (int save = 0; save < 1000; ++save) {
        std::string ignored;
        writeCheckpoint(path, saves[save % 2], ignored);
      }
      _exit(0);
    }
    std::this_thread::sleep_for(
        std::chrono::microseconds(delayMicroseconds(random)));
    killAndReap(writer);
    std::string temporary = path + ".tmp." + std::to_string(writer);
    interrupted += access(temporary.c_str(), F_OK) == 0;

    std::string found = readFile(path);
    EXPECT_TRUE(found == bytes[0] || found == bytes[1])
        << "round " << round << " (seed " << seed << "): the checkpoint is "
        << found.size() << " bytes, neither save";
    std::optional<Checkpoint> read = readCheckpoint(path, error);
    EXPECT_TRUE(read) << error;

    ASSERT_TRUE(writeCheckpoint(path, saves[round % 2], error)) << error;
    EXPECT_EQ(dir.list(), std::vector<std::string>{"c.safetensors"})
        << "round " << round << " (seed " << seed << ")";
  }
  // Most kills land inside a save, which is nearly all of the child's time.
  std::printf("%d of %d kills interrupted a save (seed %u)\n", interrupted,
              kRounds, seed);
  EXPECT_GT(interrupted, 0) << "seed " << seed;
}

} // namespace
