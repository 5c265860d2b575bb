public enum PacketOutputPlaceholder {}
