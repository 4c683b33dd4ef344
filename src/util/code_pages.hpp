// Dropping the page-table entries of the executable's code after setup. A long-lived supervisor
// (the shim) runs a lot of code once (config parsing, container setup) and then only its loop. Its
// code is a read-only, never-written file mapping: madvise(MADV_DONTNEED) on it unmaps the pages
// from this process (they stay in the page cache, shared with every other shim) and whatever the
// loop runs faults back in (a minor fault). The resident size then is the working set.
//
// Only read-only mappings of the program itself without a single private dirty page are touched
// (code and constants): private data, RELRO (written at start-up) and anonymous memory would
// lose their contents.
#pragma once

namespace stack::util {

// Best effort: failures are ignored (the pages simply stay).
void release_code_pages();

}  // namespace stack::util
