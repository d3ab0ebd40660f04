"""Physical constants and unit conversions shared by every stage (GeV, pb, rad)."""

HIGGS_MASS_GEV = 125.0
HIGGS_WIDTH_GEV = 4.07e-3
TOP_MASS_GEV = 173.0
FERMI_CONSTANT_GEV2 = 1.1663787e-5  # G_F in GeV^-2
HIGGS_VEV_GEV = 246.21965  # v = (sqrt(2) G_F)^(-1/2)
GEV2_TO_PB = 0.3893794e9  # (hbar c)^2: 1 GeV^-2 = 0.3894 mb = 3.894e8 pb
B_QUARK_PID = 5
HIGGS_PID = 25
GLUON_PID = 21
SM_KAPPA_LAMBDA = 1.0  # κλ of the Standard Model (the value a background sample without κλ takes)
