#ifndef TUNNELSCOPE_CPCAP_SHIM_H
#define TUNNELSCOPE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
