#ifndef TUNNELSCOPE_CPCAP_SHIM_H
#define TUNNELSCOPE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdio_ext.h>

/// Makes `file` a stream only its reader uses: no lock taken inside each fread (libpcap reads
/// every record with two), and a bigger buffer (`buffer`, `size` bytes, freed by the caller
/// after the stream is closed) so that a read system call fetches hundreds of records.
static inline void tunnelscope_prepare_stream(FILE *file, char *buffer, size_t size) {
    setvbuf(file, buffer, _IOFBF, size);
    __fsetlocking(file, FSETLOCKING_BYCALLER);
}

/// Clears the permitted, effective and inheritable capability sets of the calling thread's
/// process (capset has no libc wrapper without libcap, and syscall() is variadic, which Swift
/// cannot call). Returns 0, or -1 with errno set.
static inline int tunnelscope_drop_capabilities(void) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0, 0, 0}};
    return (int)syscall(SYS_capset, &header, data);
}
#endif
