#include "spec/model.hpp"

#include <algorithm>

namespace stack::spec {

namespace {
template <class T>
const T* find_by(const std::vector<T>& v, std::string_view key, std::string T::*field) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.*field == key; });
  return it == v.end() ? nullptr : &*it;
}
}  // namespace

const Service* Stack::find_service(std::string_view name) const {
  return find_by(services, name, &Service::name);
}
const Network* Stack::find_network(std::string_view key) const {
  return find_by(networks, key, &Network::key);
}
const Volume* Stack::find_volume(std::string_view key) const {
  return find_by(volumes, key, &Volume::key);
}

const FileSource* Stack::find_secret(std::string_view key) const {
  return find_by(secrets, key, &FileSource::key);
}

const FileSource* Stack::find_config(std::string_view key) const {
  return find_by(configs, key, &FileSource::key);
}

std::string_view to_string(Condition c) {
  switch (c) {
    case Condition::service_started: return "service_started";
    case Condition::service_healthy: return "service_healthy";
    case Condition::service_completed_successfully: return "service_completed_successfully";
  }
  return "?";
}

std::string_view to_string(RestartPolicy::Kind k) {
  switch (k) {
    case RestartPolicy::Kind::no: return "no";
    case RestartPolicy::Kind::always: return "always";
    case RestartPolicy::Kind::on_failure: return "on-failure";
    case RestartPolicy::Kind::unless_stopped: return "unless-stopped";
  }
  return "?";
}

std::string_view to_string(Service::HealthAction a) {
  switch (a) {
    case Service::HealthAction::none: return "none";
    case Service::HealthAction::kill: return "kill";
    case Service::HealthAction::restart: return "restart";
    case Service::HealthAction::stop: return "stop";
  }
  return "?";
}

std::string_view to_string(MountType t) {
  switch (t) {
    case MountType::bind: return "bind";
    case MountType::volume: return "volume";
    case MountType::tmpfs: return "tmpfs";
    case MountType::image: return "image";
  }
  return "?";
}

std::string_view to_string(PullPolicy p) {
  switch (p) {
    case PullPolicy::missing: return "missing";
    case PullPolicy::always: return "always";
    case PullPolicy::never: return "never";
    case PullPolicy::build: return "build";
    case PullPolicy::refresh: return "refresh";
  }
  return "?";
}

std::string_view to_string(NetworkMode::Kind k) {
  switch (k) {
    case NetworkMode::Kind::bridge: return "bridge";
    case NetworkMode::Kind::host: return "host";
    case NetworkMode::Kind::none: return "none";
    case NetworkMode::Kind::service: return "service";
    case NetworkMode::Kind::container: return "container";
  }
  return "?";
}

std::string_view to_string(WatchRule::Action a) {
  switch (a) {
    case WatchRule::Action::sync: return "sync";
    case WatchRule::Action::rebuild: return "rebuild";
    case WatchRule::Action::sync_restart: return "sync+restart";
    case WatchRule::Action::restart: return "restart";
    case WatchRule::Action::sync_exec: return "sync+exec";
  }
  return "?";
}

}  // namespace stack::spec
