% Regenerates the Octave-written fixtures of nmatools/matfile.
% Run from this directory:  octave --no-gui --quiet gen_octave.m
% The Go tests (octave_test.go) check the values with the same formulas.
clear all;
rows = 5; cols = 4;
for j = 1:cols
  for i = 1:rows
    c = (i-1) + rows*(j-1);      % 0-based column-major linear index
    T = 3 + mod(c, 4);
    t = (0:T-1)';
    condsForSim(i, j).timesREmove = [c; c+1];
    condsForSim(i, j).plan = c*10000 + t*100 + (0:14);
    condsForSim(i, j).goEnvelope = c + t*0.5;
    condsForSim(i, j).muscle = -(c*100 + t*10 + (0:6));
  end
end
nested.inner.a = [1.5 -2.5];
nested.inner.name = 'deep';
nested.k = 3;
cellmix = {[1 2 3], 'text', [true false]; int8(-5), {}, {'in', 2}};
str = 'hello';
charmat = ['abc'; 'def'];
i8 = int8([-128 0 127]);
u8 = uint8([0 1 255]);
i16 = int16([-32768 0 32767]);
u16 = uint16([0 1 65535]);
i32 = int32([-2147483648 0 2147483647]);
u32 = uint32([0 1 4294967295]);
i64 = int64([-9007199254740992 0 9007199254740992]);
u64 = uint64([0 1 9007199254740992]);
f32 = single([0.5 -1.25 3e38]);
logic = logical([1 0; 0 1]);
cplx = [1+2i, -3.5-4i];
empty = zeros(0, 3);
emptystruct = struct('a', {});
x3d = reshape(0:23, [2 3 4]);
sp = sparse([1 3 2 4], [1 2 3 1], [1 3 2 4], 4, 3);
clear i j c t T rows cols
global g
g = 42;
save -v7 octave_v7.mat
save -v6 octave_v6.mat
x = [1 2 3];
save -v4 octave_v4.mat x
save -hdf5 octave_hdf5.mat x
