// A plain text table as docker prints them: upper-case headers, columns padded with three spaces.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace stack::cli {

void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<std::vector<std::string>>& rows);

}  // namespace stack::cli
