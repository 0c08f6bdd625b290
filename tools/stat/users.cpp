// SPDX-License-Identifier: GPL-2.0
#include "users.h"

#include "text.h"

#include <pwd.h>

#include <vector>

namespace atcp_tools {

Users Users::system()
{
    auto text = read_file(default_passwd_path);
    Users u = parse(text ? *text : "");
    u.use_nss_ = true;
    return u;
}

// "name:password:uid:gid:gecos:home:shell"; the first entry for a uid wins.
Users Users::parse(std::string_view passwd_text)
{
    Users u;
    for (std::string_view line : split_lines(passwd_text)) {
        auto fields = split(line, ':');
        if (fields.size() < 3 || fields[0].empty())
            continue;
        auto id = parse_uint(fields[2]);
        if (!id || *id > UINT32_MAX)
            continue;
        auto uid = static_cast<uint32_t>(*id);
        u.by_uid_.try_emplace(uid, fields[0]);
        u.by_name_.try_emplace(std::string(fields[0]), uid);
    }
    return u;
}

std::string Users::name(uint32_t uid) const
{
    if (auto it = by_uid_.find(uid); it != by_uid_.end())
        return it->second;
    if (use_nss_) {
        passwd pw, *found = nullptr;
        std::vector<char> buf(4096);
        if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found)
            return pw.pw_name;
    }
    return std::to_string(uid);
}

std::optional<uint32_t> Users::uid(std::string_view name_or_uid) const
{
    if (auto it = by_name_.find(std::string(name_or_uid)); it != by_name_.end())
        return it->second;
    if (use_nss_) {
        passwd pw, *found = nullptr;
        std::vector<char> buf(4096);
        std::string name(name_or_uid);
        if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found)
            return pw.pw_uid;
    }
    if (auto id = parse_uint(name_or_uid); id && *id <= UINT32_MAX)
        return static_cast<uint32_t>(*id);
    return std::nullopt;
}

} // namespace atcp_tools
