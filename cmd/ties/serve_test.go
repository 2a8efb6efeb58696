package main

import "testing"

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"900MiB", 900 << 20, false},
		{"2GiB", 2 << 30, false},
		{"512KiB", 512 << 10, false},
		{"1048576", 1 << 20, false},
		{"10B", 10, false},
		{"0", 0, false},
		{"", 0, true},
		{"1.5GiB", 0, true},
		{"-1MiB", 0, true},
		{"9999999999GiB", 0, true},
		{"lots", 0, true},
	}
	for _, tt := range tests {
		got, err := parseBytes(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseBytes(%q): error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("parseBytes(%q): got %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"localhost:8080": true, "127.0.0.1:8080": true, "[::1]:8080": true, "127.0.0.2:1": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "192.168.1.2:8080": false, "example.com:80": false, "bad": false,
	} {
		if got := loopbackAddr(addr); got != want {
			t.Errorf("loopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}
