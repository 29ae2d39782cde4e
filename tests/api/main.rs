//! The network-facing parts against a hostile origin on loopback (docs/security.md §3 rows that can
//! be reproduced there): the fetch client, the command line and the HTTP service. The origin
//! listens on 127.0.0.1 and is the only exempt address; a canary on 127.0.0.2 counts every
//! connection it receives and must end every test at zero.

mod browser;
mod cdn;
mod cli;
mod cluster;
mod crawlers;
mod debugger;
mod docker_image;
mod faults;
mod helpers;
mod hostile;
mod oembed;
mod origin;
mod pages;
mod process;
mod production;
mod redis_server;
mod security;
mod service;
mod signing;
mod warm;
