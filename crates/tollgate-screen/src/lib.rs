//! Restricted-party screening (work in progress).
