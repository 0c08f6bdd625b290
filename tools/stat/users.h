// SPDX-License-Identifier: GPL-2.0
/*
 * User names for uids, from a passwd(5) file (a parameter, for tests) and,
 * for the system's file, then from NSS, as ps(1) would find them.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace atcp_tools {

constexpr const char* default_passwd_path = "/etc/passwd";

class Users {
  public:
    // The system's users: /etc/passwd, then getpwuid_r/getpwnam_r.
    static Users system();
    // Only the entries of this text (passwd format), nothing else.
    static Users parse(std::string_view passwd_text);

    // The name, or the uid in decimal when there is none.
    std::string name(uint32_t uid) const;
    // A name or a decimal uid -> the uid.
    std::optional<uint32_t> uid(std::string_view name_or_uid) const;

  private:
    std::unordered_map<uint32_t, std::string> by_uid_;
    std::unordered_map<std::string, uint32_t> by_name_;
    bool use_nss_ = false;
};

} // namespace atcp_tools
