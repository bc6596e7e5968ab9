#ifndef SOCKET_H
#define SOCKET_H

#include<winsock2.h>

SOCKET *get_socket_pair();

#endif