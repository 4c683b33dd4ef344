// Pull progress for people: a bar per layer, redrawn in place on a terminal; one plain line per
// finished layer otherwise (logs, CI). Also the one call that pulls with it, for `stack image pull`
// and for the orchestrator's pulls (`stack pull`, `up`).
#pragma once

#include <iosfwd>
#include <string_view>

#include "image/pull.hpp"

namespace stack::cli {

// A progress callback drawing on out; tty chooses bars over lines.
image::PullProgress make_pull_progress(std::ostream& out, bool tty);

// pull() with options.progress drawing on out (bars when out is stderr on a terminal, else
// lines); base's other fields are kept. Prints "<ref>: downloaded N bytes" style summary.
util::Result<image::Image> pull_with_progress(image::Store& store, std::string_view ref,
                                              const image::PullOptions& base, std::ostream& out, bool tty);

}  // namespace stack::cli
