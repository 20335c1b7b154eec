//===- Progress.cpp - how far a run is, and how long it has left ----------===//

#include "runtime/train/Progress.h"

#include <cinttypes>
#include <cmath>

namespace mpc::train {
namespace {

/// How often the terminal line is redrawn at most: often enough to look
/// alive, rarely enough to cost nothing next to a step.
constexpr std::chrono::milliseconds kRedrawInterval{200};

} // namespace

std::string formatDuration(double seconds) {
  int64_t whole = seconds > 0 ? std::llround(seconds) : 0;
  char text[48];
  if (whole < 60) {
    std::snprintf(text, sizeof text, "%" PRId64 "s", whole);
  } else if (whole < 3600) {
    std::snprintf(text, sizeof text, "%" PRId64 "m%02" PRId64 "s", whole / 60,
                  whole % 60);
  } else {
    int64_t minutes = (whole + 30) / 60;
    std::snprintf(text, sizeof text, "%" PRId64 "h%02" PRId64 "m", minutes / 60,
                  minutes % 60);
  }
  return text;
}

Progress::Progress(int64_t startStep, int64_t steps, std::FILE *terminal)
    : startStep(startStep), steps(steps), terminal(terminal),
      started(Clock::now()) {}

std::optional<double> Progress::secondsLeft(int64_t done) const {
  if (done <= startStep || done >= steps)
    return std::nullopt;
  double seconds =
      std::chrono::duration<double>(Clock::now() - started).count();
  return seconds / double(done - startStep) * double(steps - done);
}

void Progress::stepDone(int64_t done) {
  if (!terminal)
    return;
  Clock::time_point now = Clock::now();
  if (lastDrawn && now - *lastDrawn < kRedrawInterval)
    return;
  lastDrawn = now;
  std::string eta;
  if (std::optional<double> left = secondsLeft(done))
    eta = "  eta " + formatDuration(*left);
  // \r and "erase to the end of the line": the line is rewritten in place.
  std::fprintf(terminal, "\r\x1b[Kstep %" PRId64 "/%" PRId64 "%s", done, steps,
               eta.c_str());
  std::fflush(terminal);
  shown = true;
}

void Progress::clear() {
  if (!shown)
    return;
  std::fputs("\r\x1b[K", terminal);
  std::fflush(terminal);
  shown = false;
}

} // namespace mpc::train
