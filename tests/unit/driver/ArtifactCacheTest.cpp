//===- ArtifactCacheTest.cpp - Cache entries appear whole, once -----------===//

#include "runtime/driver/ArtifactCache.h"

#include "tests/unit/driver/TestFiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mpc::driver {
namespace {

namespace fs = std::filesystem;
using test::readFile;
using test::ScratchDir;
using test::writeFile;

/// The names in `directory`, sorted.
std::vector<std::string> namesIn(const std::string &directory) {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto &entry : fs::directory_iterator(directory, ignored))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool exists(const std::string &path) { return access(path.c_str(), F_OK) == 0; }

/// Writes an artifact-like directory: step.cu, then manifest.json holding
/// `manifest`.
bool writeArtifact(const std::string &path, const std::string &manifest) {
  if (mkdir(path.c_str(), 0755) != 0)
    return false;
  std::ofstream(path + "/step.cu") << "// step";
  std::ofstream(path + "/manifest.json") << manifest;
  return true;
}

/// Points the cache at a scratch directory for the test's duration.
class ArtifactCacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (const char *value = std::getenv("MPC_CACHE_DIR"))
      saved = value;
    setenv("MPC_CACHE_DIR", scratch.rootPath().c_str(), 1);
  }
  void TearDown() override {
    if (saved)
      setenv("MPC_CACHE_DIR", saved->c_str(), 1);
    else
      unsetenv("MPC_CACHE_DIR");
  }

  ScratchDir scratch;
  std::optional<std::string> saved;
};

TEST_F(ArtifactCacheTest, AnEntryIsWrittenOnceInItsFolder) {
  int writes = 0;
  EntryWriter write = [&](const std::string &path, std::string &) {
    ++writes;
    writeFile(path, "library");
    return true;
  };
  std::string error;
  std::optional<std::string> first =
      cachedEntry("cuda", "step-1.so", write, error);
  ASSERT_TRUE(first) << error;
  EXPECT_EQ(*first, scratch.path("cuda/step-1.so"));
  EXPECT_EQ(readFile(*first), "library");
  EXPECT_EQ(cachedEntry("cuda", "step-1.so", write, error), first);
  EXPECT_EQ(writes, 1);
  // No temporary is left beside the entry.
  EXPECT_EQ(namesIn(scratch.path("cuda")),
            std::vector<std::string>{"step-1.so"});
}

TEST_F(ArtifactCacheTest, NoReaderSeesAHalfWrittenEntry) {
  std::string entry = scratch.path("artifacts/abc");
  std::string error;
  std::optional<std::string> path = cachedEntry(
      "artifacts", "abc",
      [&](const std::string &temporary, std::string &) {
        EXPECT_NE(temporary, entry);
        EXPECT_TRUE(mkdir(temporary.c_str(), 0755) == 0);
        writeFile(temporary + "/step.cu", "// step");
        // Half written: a reader looking for the entry finds nothing yet.
        EXPECT_FALSE(exists(entry));
        writeFile(temporary + "/manifest.json", "{}");
        return true;
      },
      error);
  ASSERT_TRUE(path) << error;
  EXPECT_EQ(*path, entry);
  EXPECT_EQ(namesIn(entry),
            (std::vector<std::string>{"manifest.json", "step.cu"}));
  EXPECT_EQ(namesIn(scratch.path("artifacts")),
            std::vector<std::string>{"abc"});
}

TEST_F(ArtifactCacheTest, AFailedWriteLeavesNothingAndIsRetried) {
  std::string error;
  std::optional<std::string> path = cachedEntry(
      "artifacts", "abc",
      [](const std::string &temporary, std::string &error) {
        EXPECT_TRUE(mkdir(temporary.c_str(), 0755) == 0);
        writeFile(temporary + "/step.cu", "// half");
        error = "model.json: the CUDA translation failed";
        return false;
      },
      error);
  EXPECT_FALSE(path);
  EXPECT_EQ(error, "model.json: the CUDA translation failed");
  EXPECT_TRUE(namesIn(scratch.path("artifacts")).empty());

  // The failure was not cached: the next run writes the entry.
  path = cachedEntry(
      "artifacts", "abc",
      [](const std::string &temporary, std::string &) {
        return writeArtifact(temporary, "{}");
      },
      error);
  ASSERT_TRUE(path) << error;
  EXPECT_EQ(readFile(*path + "/manifest.json"), "{}");
}

TEST_F(ArtifactCacheTest, AWriterThatLosesTheRaceKeepsTheWinnersEntry) {
  std::string entry = scratch.path("artifacts/abc");
  std::string error;
  std::optional<std::string> path = cachedEntry(
      "artifacts", "abc",
      [&](const std::string &temporary, std::string &) {
        // Another run publishes the same entry while this one writes.
        EXPECT_TRUE(writeArtifact(entry, "winner"));
        return writeArtifact(temporary, "loser");
      },
      error);
  ASSERT_TRUE(path) << error;
  EXPECT_EQ(*path, entry);
  EXPECT_EQ(readFile(entry + "/manifest.json"), "winner");
  // The losing copy is removed.
  EXPECT_EQ(namesIn(scratch.path("artifacts")),
            std::vector<std::string>{"abc"});
}

TEST_F(ArtifactCacheTest, ConcurrentRunsPublishOneWholeEntry) {
  // Every run waits, halfway through writing, until all have started, so
  // all write at once and all but one lose the race.
  constexpr int kRuns = 4;
  std::string folder = scratch.path("artifacts");
  std::string started = scratch.path("started");
  ASSERT_TRUE(fs::create_directories(started));
  std::vector<pid_t> runs;
  for (int run = 0; run < kRuns; ++run) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::string error;
      std::optional<std::string> path = cachedEntry(
          "artifacts", "abc",
          [&](const std::string &temporary, std::string &) {
            if (mkdir(temporary.c_str(), 0755) != 0)
              return false;
            std::ofstream(temporary + "/step.cu") << "// step";
            std::ofstream(started + "/" + std::to_string(run));
            auto deadline =
                std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (namesIn(started).size() < kRuns &&
                   std::chrono::steady_clock::now() < deadline)
              std::this_thread::sleep_for(std::chrono::milliseconds(5));
            std::ofstream(temporary + "/manifest.json") << "run " << run;
            return true;
          },
          error);
      _exit(path && *path == folder + "/abc" ? 0 : 1);
    }
    runs.push_back(child);
  }
  for (pid_t child : runs) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(namesIn(folder), std::vector<std::string>{"abc"});
  EXPECT_EQ(namesIn(folder + "/abc"),
            (std::vector<std::string>{"manifest.json", "step.cu"}));
  EXPECT_EQ(readFile(folder + "/abc/manifest.json").rfind("run ", 0), 0u);
}

TEST_F(ArtifactCacheTest, AStaleTemporaryIsReplaced) {
  // A run that had this process's pid died while writing the entry.
  std::string entry = scratch.path("artifacts/abc");
  std::string stale = temporaryPath(entry);
  ASSERT_TRUE(fs::create_directories(stale));
  writeFile(stale + "/leftover.o", "half");
  std::string error;
  std::optional<std::string> path = cachedEntry(
      "artifacts", "abc",
      [](const std::string &temporary, std::string &) {
        return writeArtifact(temporary, "{}");
      },
      error);
  ASSERT_TRUE(path) << error;
  EXPECT_EQ(namesIn(entry),
            (std::vector<std::string>{"manifest.json", "step.cu"}));
  EXPECT_FALSE(exists(stale));

  // A stale file where a directory is written.
  std::string other = scratch.path("artifacts/def");
  writeFile(temporaryPath(other), "half");
  path = cachedEntry(
      "artifacts", "def",
      [](const std::string &temporary, std::string &) {
        return writeArtifact(temporary, "{}");
      },
      error);
  ASSERT_TRUE(path) << error;
  EXPECT_EQ(readFile(other + "/manifest.json"), "{}");
  EXPECT_EQ(namesIn(scratch.path("artifacts")),
            (std::vector<std::string>{"abc", "def"}));
}

TEST_F(ArtifactCacheTest, AFilePublishedOverAnotherReplacesIt) {
  std::string library = scratch.path("step.sm_90.so");
  writeFile(library, "old");
  std::string error;
  ASSERT_TRUE(publishAtomically(
      library,
      [](const std::string &temporary, std::string &) {
        writeFile(temporary, "new");
        return true;
      },
      error))
      << error;
  EXPECT_EQ(readFile(library), "new");
  EXPECT_EQ(scratch.list(), std::vector<std::string>{"step.sm_90.so"});
}

TEST_F(ArtifactCacheTest, ARenameThatFailsIsOneLine) {
  // A file cannot replace a directory.
  std::string path = scratch.path("step.so");
  ASSERT_TRUE(fs::create_directories(path + "/inside"));
  std::string error;
  EXPECT_FALSE(publishAtomically(
      path,
      [](const std::string &temporary, std::string &) {
        writeFile(temporary, "library");
        return true;
      },
      error));
  EXPECT_EQ(error, path + ": cannot be written: Is a directory");
  EXPECT_EQ(scratch.list(), std::vector<std::string>{"step.so"});
}

TEST_F(ArtifactCacheTest, ACacheThatCannotBeCreatedIsOneLine) {
  writeFile(scratch.path("file"), "");
  setenv("MPC_CACHE_DIR", scratch.path("file").c_str(), 1);
  bool written = false;
  std::string error;
  EXPECT_FALSE(cachedEntry(
      "cuda", "step-1.so",
      [&](const std::string &, std::string &) { return written = true; },
      error));
  EXPECT_FALSE(written);
  EXPECT_EQ(error, scratch.path("file") +
                       "/cuda: cannot create the cache directory: Not a "
                       "directory");
}

} // namespace
} // namespace mpc::driver
