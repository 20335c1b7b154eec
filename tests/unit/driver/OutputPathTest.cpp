//===- OutputPathTest.cpp - Outputs checked before work, written whole ----===//
//
// checkOutputPath accepts what can be written and refuses, in one line
// naming the path, what cannot: before any work, leaving nothing behind.
// writeOutputFile replaces a file whole and writes a FIFO in place;
// publishAtomically replaces a directory in one exchange.
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/OutputPath.h"
#include "runtime/driver/ArtifactCache.h"

#include "tests/unit/driver/TestFiles.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace mpc::driver {
namespace {

using test::readFile;
using test::ScratchDir;
using test::writeFile;

/// The one-line error checkOutputPath gives for `path`, or "" if accepted.
std::string problemOf(const std::string &path, OutputKind kind) {
  std::string error;
  bool accepted = checkOutputPath(path, kind, error);
  EXPECT_EQ(accepted, error.empty()) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
  return error;
}

TEST(OutputPath, AcceptsNewAndRegularFilesAndLeavesNothing) {
  ScratchDir dir;
  writeFile(dir.path("old.ckpt"), "old");
  for (OutputKind kind : {OutputKind::File, OutputKind::Stream}) {
    EXPECT_EQ(problemOf(dir.path("new.ckpt"), kind), "");
    EXPECT_EQ(problemOf(dir.path("old.ckpt"), kind), "");
  }
  // The probe file is gone, and the existing file is untouched.
  EXPECT_EQ(dir.list(), std::vector<std::string>{"old.ckpt"});
  EXPECT_EQ(readFile(dir.path("old.ckpt")), "old");
}

TEST(OutputPath, ABareNameIsInTheWorkingDirectory) {
  ScratchDir dir;
  char previous[4096];
  ASSERT_TRUE(getcwd(previous, sizeof previous));
  ASSERT_EQ(chdir(dir.rootPath().c_str()), 0);
  EXPECT_EQ(problemOf("run.ckpt", OutputKind::File), "");
  EXPECT_EQ(problemOf("artifact", OutputKind::Directory), "");
  ASSERT_EQ(chdir(previous), 0);
  EXPECT_TRUE(dir.list().empty());
}

TEST(OutputPath, RefusesAnEmptyPath) {
  EXPECT_EQ(problemOf("", OutputKind::File),
            "an output path must not be empty");
}

TEST(OutputPath, RefusesAMissingDirectoryForAFile) {
  ScratchDir dir;
  std::string path = dir.path("none/run.ckpt");
  for (OutputKind kind : {OutputKind::File, OutputKind::Stream})
    EXPECT_EQ(problemOf(path, kind),
              path + ": the directory " + dir.path("none") + " does not exist");
}

TEST(OutputPath, ADirectoryOutputCreatesItsParentsLater) {
  ScratchDir dir;
  EXPECT_EQ(problemOf(dir.path("a/b/artifact"), OutputKind::Directory), "");
  EXPECT_EQ(problemOf(dir.path("a/b/artifact/"), OutputKind::Directory), "");
  // Nothing is created by the check.
  EXPECT_TRUE(dir.list().empty());
}

TEST(OutputPath, RefusesADirectoryWhereAFileGoesAndTheOtherWayRound) {
  ScratchDir dir;
  ASSERT_EQ(mkdir(dir.path("folder").c_str(), 0755), 0);
  writeFile(dir.path("file"), "x");
  for (OutputKind kind : {OutputKind::File, OutputKind::Stream})
    EXPECT_EQ(problemOf(dir.path("folder"), kind),
              dir.path("folder") + ": is a directory, not a regular file");
  EXPECT_EQ(problemOf(dir.path("folder"), OutputKind::Directory), "");
  EXPECT_EQ(problemOf(dir.path("file"), OutputKind::Directory),
            dir.path("file") + ": exists and is not a directory");
  // A path through a file, and a parent that is a file.
  EXPECT_EQ(problemOf(dir.path("file/run.ckpt"), OutputKind::File),
            dir.path("file/run.ckpt") + ": Not a directory");
  EXPECT_EQ(problemOf(dir.path("file/a/b"), OutputKind::Directory),
            dir.path("file/a/b") + ": Not a directory");
}

TEST(OutputPath, SpecialFilesAreNeverReplacedButStreamsWriteInPlace) {
  ScratchDir dir;
  std::string fifo = dir.path("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  EXPECT_EQ(problemOf(fifo, OutputKind::File),
            fifo + ": is a FIFO, not a regular file");
  EXPECT_EQ(problemOf("/dev/null", OutputKind::File),
            "/dev/null: is a character device, not a regular file");
  EXPECT_EQ(problemOf(fifo, OutputKind::Stream), "");
  EXPECT_EQ(problemOf("/dev/null", OutputKind::Stream), "");
  struct stat info;
  ASSERT_EQ(stat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
}

TEST(OutputPath, RefusesReadOnlyFilesAndDirectories) {
  if (geteuid() == 0)
    GTEST_SKIP() << "root writes to read-only files and directories";
  ScratchDir dir;
  writeFile(dir.path("frozen"), "old");
  ASSERT_EQ(chmod(dir.path("frozen").c_str(), 0444), 0);
  ASSERT_EQ(mkdir(dir.path("locked").c_str(), 0555), 0);
  EXPECT_EQ(problemOf(dir.path("frozen"), OutputKind::File),
            dir.path("frozen") + ": cannot be replaced: Permission denied");
  EXPECT_EQ(problemOf(dir.path("locked/run.ckpt"), OutputKind::File),
            dir.path("locked/run.ckpt") + ": cannot write in " +
                dir.path("locked") + ": Permission denied");
  // A directory output that would be created inside a read-only one.
  EXPECT_EQ(problemOf(dir.path("locked/new/artifact"), OutputKind::Directory),
            dir.path("locked/new/artifact") + ": cannot write in " +
                dir.path("locked") + ": Permission denied");
  chmod(dir.path("locked").c_str(), 0755);
  EXPECT_EQ(readFile(dir.path("frozen")), "old");
}

TEST(OutputPath, WriteOutputFileReplacesAFileWhole) {
  ScratchDir dir;
  std::string path = dir.path("out.mlir");
  writeFile(path, "old");
  std::string error;
  ASSERT_TRUE(writeOutputFile(path, "new", error)) << error;
  EXPECT_EQ(readFile(path), "new");
  EXPECT_EQ(dir.list(), std::vector<std::string>{"out.mlir"});
}

TEST(OutputPath, WriteOutputFileFailsInOneLineAndLeavesNothing) {
  ScratchDir dir;
  std::string path = dir.path("none/out.mlir");
  std::string error;
  EXPECT_FALSE(writeOutputFile(path, "new", error));
  EXPECT_EQ(error.rfind(path, 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_TRUE(dir.list().empty());
}

TEST(OutputPath, WriteOutputFileWritesAFifoInPlace) {
  ScratchDir dir;
  std::string fifo = dir.path("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  std::string received;
  std::thread reader([&] { received = readFile(fifo); });
  std::string error;
  EXPECT_TRUE(writeOutputFile(fifo, "through the pipe", error)) << error;
  reader.join();
  EXPECT_EQ(received, "through the pipe");
  struct stat info;
  ASSERT_EQ(stat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
}

/// Writes a directory holding `file` with `contents`.
EntryWriter directoryWith(const std::string &file,
                          const std::string &contents) {
  return [=](const std::string &path, std::string &) {
    if (mkdir(path.c_str(), 0755) != 0)
      return false;
    std::ofstream(path + "/" + file) << contents;
    return true;
  };
}

TEST(PublishAtomically, ReplacesADirectoryWhenAsked) {
  ScratchDir dir;
  std::string path = dir.path("artifact");
  std::string error;
  ASSERT_TRUE(publishAtomically(path, directoryWith("manifest.json", "old"),
                                error, ExistingDirectory::Replace));
  ASSERT_TRUE(publishAtomically(path, directoryWith("step.cu", "new"), error,
                                ExistingDirectory::Replace))
      << error;
  // The new directory, whole: nothing of the old one, no temporary.
  EXPECT_EQ(readFile(path + "/step.cu"), "new");
  EXPECT_NE(access((path + "/manifest.json").c_str(), F_OK), 0);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"artifact"});
}

TEST(PublishAtomically, AFailedReplacementLeavesTheOldDirectory) {
  ScratchDir dir;
  std::string path = dir.path("artifact");
  std::string error;
  ASSERT_TRUE(publishAtomically(path, directoryWith("manifest.json", "old"),
                                error, ExistingDirectory::Replace));
  // The writer fails after writing one file of two (step.cu, then the
  // manifest).
  EXPECT_FALSE(publishAtomically(
      path,
      [](const std::string &temporary, std::string &error) {
        mkdir(temporary.c_str(), 0755);
        std::ofstream(temporary + "/step.cu") << "half";
        error = "manifest.json: cannot be written";
        return false;
      },
      error, ExistingDirectory::Replace));
  EXPECT_EQ(error, "manifest.json: cannot be written");
  EXPECT_EQ(readFile(path + "/manifest.json"), "old");
  EXPECT_NE(access((path + "/step.cu").c_str(), F_OK), 0);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"artifact"});
}

TEST(PublishAtomically, KeepsADirectoryByDefault) {
  ScratchDir dir;
  std::string path = dir.path("entry");
  std::string error;
  ASSERT_TRUE(publishAtomically(path, directoryWith("a", "first"), error));
  ASSERT_TRUE(publishAtomically(path, directoryWith("a", "second"), error));
  EXPECT_EQ(readFile(path + "/a"), "first");
  EXPECT_EQ(dir.list(), std::vector<std::string>{"entry"});
}

} // namespace
} // namespace mpc::driver
